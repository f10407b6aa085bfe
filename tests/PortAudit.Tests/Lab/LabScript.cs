namespace PortAudit.Tests.Lab;

/// <summary>Runs one of tools/lab's scripts with this build of portaudit, under a time bound, into a test's directory.</summary>
internal static class LabScript
{
    /// <summary>
    /// Runs tools/lab/<paramref name="script"/> with its capture and inventory going to DIR/out and the live audit's
    /// reports to DIR/report, its namespaces named after <paramref name="prefix"/>; returns its exit code and output.
    /// </summary>
    public static (int Exit, string Output) Run(string script, string dir, string prefix, TimeSpan bound)
    {
        // timeout(1) sends SIGTERM first, so the script's trap still removes what it built.
        var start = ExternalProgram.Start("timeout",
        [
            "--kill-after=10", ((int)bound.TotalSeconds).ToString(), "bash", SharedData.InRepository($"tools/lab/{script}"),
            "--out", Path.Combine(dir, "out"), "--report", Path.Combine(dir, "report"),
            // Its own namespace names, so a lab someone runs by hand does not collide with the test's.
            "--prefix", prefix,
        ]);
        start.Environment["PORTAUDIT"] =
            $"{Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet"} {Path.Combine(AppContext.BaseDirectory, "portaudit.dll")}";
        var result = ExternalProgram.Run(start, bound + TimeSpan.FromSeconds(15));
        return (result.ExitCode, result.StandardError + result.StandardOutput);
    }
}
