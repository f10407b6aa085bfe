using System.Diagnostics;

namespace PortAudit.Tests.Cli;

/// <summary>Runs the built portaudit CLI as a real process, as a user or a script would.</summary>
internal static class CliProcess
{
    public static ExternalProgram.Result Run(string arguments, byte[]? standardInput = null, string? workingDirectory = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        // An empty standard input, so that '-' and prompts see end of input rather than the test runner's.
        return ExternalProgram.Run(start, TimeSpan.FromSeconds(60), standardInput ?? []);
    }
}
