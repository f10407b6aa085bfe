using System.Diagnostics;

namespace PortAudit.Tests.Plot;

/// <summary>Runs headless Chromium on a local file with a throw-away profile and no network activity of its own.</summary>
internal static class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static void Screenshot(string htmlPath, string pngPath, string workDir, int width = 1200, int height = 1600) =>
        Run(workDir, $"--screenshot={pngPath}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlPath).AbsoluteUri);

    /// <summary>The DOM after scripts ran, serialised.</summary>
    public static string DumpDom(string htmlPath, string workDir) =>
        Run(workDir, "--virtual-time-budget=2000", "--dump-dom", new Uri(htmlPath).AbsoluteUri);

    private static string Run(string workDir, params string[] args)
    {
        var start = new ProcessStartInfo(ChromiumFactAttribute.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string profile = Path.Combine(workDir, "profile-" + Guid.NewGuid().ToString("N"));
        foreach (string flag in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--user-data-dir=" + profile,
                 }.Concat(args))
            start.ArgumentList.Add(flag);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within {Timeout}: {stderr.Result}");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"chromium exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
