using PortAudit.Learn;

// portaudit-learn TRAINING-SET PARAMETERS: fits one randomized PCA per group of the training set that portaudit learn
// wrote and writes each group's mean and principal directions; exit 2 naming the file on a bad input.
return Companion.Run(args, Console.Error);
