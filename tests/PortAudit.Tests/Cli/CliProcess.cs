using System.Diagnostics;

namespace PortAudit.Tests.Cli;

/// <summary>Runs the built portaudit CLI as a real process, as a user or a script would.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(string arguments, byte[]? standardInput = null, string? workingDirectory = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null) process.StandardInput.BaseStream.Write(standardInput);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(true);
            throw new TimeoutException($"portaudit {arguments} did not finish in 60 s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
