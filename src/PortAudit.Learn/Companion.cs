namespace PortAudit.Learn;

/// <summary>The companion's command line: reads the training set, fits every group, writes the parameters.</summary>
public static class Companion
{
    /// <summary>Runs with <paramref name="args"/> (training set, parameters file); returns the exit code (2 for a bad input).</summary>
    public static int Run(string[] args, TextWriter errors)
    {
        if (args.Length != 2)
        {
            errors.WriteLine("usage: portaudit-learn TRAINING-SET PARAMETERS (started by portaudit learn)");
            return 2;
        }
        try
        {
            var groups = TrainingSetReader.Read(args[0]);
            using var output = new StreamWriter(args[1]);
            foreach (var (group, rows) in groups)
                PcaParameters.Write(output, group, PcaFitter.Fit(rows));
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            errors.WriteLine($"portaudit-learn: {ex.Message}");
            return 2;
        }
    }
}
