
namespace PortAudit.Tests.Report.Plot;

/// <summary>Runs headless Chromium on a local file with a throw-away profile and no network activity of its own.</summary>
internal static class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static void Screenshot(string htmlPath, string pngPath, string workDir, int width = 1200, int height = 1600) =>
        Run(workDir, $"--screenshot={pngPath}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlPath).AbsoluteUri);

    /// <summary>The DOM after scripts ran, serialised.</summary>
    public static string DumpDom(string htmlPath, string workDir, string fragment = "") =>
        Run(workDir, "--virtual-time-budget=2000", "--dump-dom", new Uri(htmlPath).AbsoluteUri + fragment);

    private static string Run(string workDir, params string[] args)
    {
        string profile = Path.Combine(workDir, "profile-" + Guid.NewGuid().ToString("N"));
        string[] flags =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile,
        ];
        var result = ExternalProgram.Run(ExternalProgram.Start(ChromiumFactAttribute.Executable, [.. flags, .. args]), Timeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"chromium exited {result.ExitCode}: {result.StandardError}");
        return result.StandardOutput;
    }
}
