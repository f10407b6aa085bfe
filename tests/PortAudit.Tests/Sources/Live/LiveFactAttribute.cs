using PortAudit.Common;
using PortAudit.Sources.Live;

namespace PortAudit.Tests.Sources.Live;

/// <summary>
/// A test that captures on the loopback interface for real; skipped, with the reason shown, where libpcap
/// is missing or the process may not capture.
/// </summary>
public sealed class LiveFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public LiveFactAttribute()
    {
        if (Reason is { } reason) Skip = reason;
    }

    /// <summary>Why live capture cannot run here, or null when it can.</summary>
    internal static string? Reason => Unavailable.Value is { } reason ? $"live capture unavailable: {reason}" : null;

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "loopback tests are written for Linux's 'lo'";
        try
        {
            using var reader = LiveCaptureReader.Open(new LiveCaptureOptions { Interfaces = ["lo"], BufferSizeBytes = 1 << 20 }, default);
            return null;
        }
        catch (InputException ex)
        {
            return ex.Message;
        }
    }
}

/// <summary>
/// A test that needs a program on the PATH (tshark, capinfos), and optionally a path inside ../shared; skipped with
/// the reason shown otherwise.
/// </summary>
public sealed class NeedsProgramFactAttribute : FactAttribute
{
    public NeedsProgramFactAttribute(string program, string? shared = null, string package = "tshark", string? also = null)
    {
        if (Programs.Find(program) is null) Skip = $"{program} is not installed (apt-get install {package}): check skipped";
        else if (also is not null && Programs.Find(also) is null) Skip = $"{also} is not installed (apt-get install {package}): check skipped";
        else if (shared is not null && !SharedData.Exists(shared)) Skip = $"../shared/{shared} not found";
    }
}

internal static class Programs
{
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
