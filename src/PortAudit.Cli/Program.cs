using PortAudit.Cli;

HotPathWarmup.Start();
return CommandRunner.Invoke(PortAuditCommand.Create(), args);
