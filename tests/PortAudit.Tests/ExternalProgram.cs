using System.Diagnostics;

namespace PortAudit.Tests;

/// <summary>
/// Runs another program (the CLI, a peer such as tshark, Chromium, the lab script) with its output captured and a
/// bounded wait: a program that outlives it is killed with its children and the test fails with a timeout.
/// </summary>
internal static class ExternalProgram
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Starts <paramref name="start"/> (its redirections are set here), feeds <paramref name="standardInput"/>, and waits.</summary>
    public static Result Run(ProcessStartInfo start, TimeSpan timeout, byte[]? standardInput = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = standardInput is not null;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.BaseStream.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not finish within {timeout}: {stderr.Result}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A start description for <paramref name="program"/> with each argument passed as is.</summary>
    public static ProcessStartInfo Start(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}
