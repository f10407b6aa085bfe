using PortAudit.Cli;

return CommandRunner.Invoke(PortAuditCommand.Create(), args);
