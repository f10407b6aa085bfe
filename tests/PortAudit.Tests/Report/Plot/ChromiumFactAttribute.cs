namespace PortAudit.Tests.Report.Plot;

/// <summary>
/// A fact that drives headless Chromium. Where /usr/bin/chromium is absent (tools/setup.sh installs it) the test is
/// reported as skipped with that reason instead of failing or silently passing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The browser the tests run.</summary>
    public const string Executable = "/usr/bin/chromium";

    /// <summary>Skips the test when <see cref="Executable"/> is missing, or <paramref name="sharedData"/> (a path in ../shared) when given.</summary>
    public ChromiumFactAttribute(string? sharedData = null)
    {
        if (!File.Exists(Executable)) Skip = $"{Executable} not found (tools/setup.sh installs the chromium package)";
        else if (sharedData is not null && !SharedData.Exists(sharedData)) Skip = $"../shared/{sharedData} not found";
    }
}
