using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Part of a real capture, cut with editcap into a temporary file: to show inspection a flow whose first packets were
/// not captured, or only one kind of message. Deleted on dispose.
/// </summary>
internal sealed class CaptureSlice : IDisposable
{
    private CaptureSlice(string path) => Path = path;

    /// <summary>The cut capture.</summary>
    public string Path { get; }

    /// <summary><paramref name="source"/> without the frames (numbers or ranges, as editcap takes them) listed.</summary>
    public static CaptureSlice Without(string source, params string[] frames) => Cut(source, keep: false, frames);

    /// <summary>Only the frames listed of <paramref name="source"/>.</summary>
    public static CaptureSlice Only(string source, params string[] frames) => Cut(source, keep: true, frames);

    private static CaptureSlice Cut(string source, bool keep, string[] frames)
    {
        var slice = new CaptureSlice(System.IO.Path.GetTempFileName());
        External.Run("editcap", [.. (keep ? new[] { "-r" } : []), "-F", "pcap", source, slice.Path, .. frames]);
        return slice;
    }

    /// <inheritdoc />
    public void Dispose() => File.Delete(Path);
}
