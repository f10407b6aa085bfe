using System.Diagnostics;

namespace PortAudit.Tests.Cli;

/// <summary>Runs the built portaudit CLI as a real process, as a user or a script would.</summary>
internal static class CliProcess
{
    /// <param name="under">A program and its arguments that start portaudit (e.g. <c>setpriv</c> with what to drop), or null.</param>
    /// <param name="timeout">How long the run may take; a minute when null.</param>
    public static ExternalProgram.Result Run(string arguments, byte[]? standardInput = null, string? workingDirectory = null, string? under = null,
        TimeSpan? timeout = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        string command = $"{(under is null ? "" : under + " ")}dotnet \"{dll}\" {arguments}";
        int program = command.IndexOf(' ');
        var start = new ProcessStartInfo(command[..program], command[(program + 1)..])
        {
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        // An empty standard input, so that '-' and prompts see end of input rather than the test runner's.
        return ExternalProgram.Run(start, timeout ?? TimeSpan.FromSeconds(60), standardInput ?? []);
    }
}
