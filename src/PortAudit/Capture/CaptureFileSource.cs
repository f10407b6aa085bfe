using PortAudit.Flows;

namespace PortAudit.Capture;

/// <summary>A capture file (pcap or pcapng, optionally gzip-compressed), or standard input as "-".</summary>
public sealed class CaptureFileSource : IFlowSource
{
    /// <summary>The file at <paramref name="path"/>; "-" is standard input.</summary>
    public CaptureFileSource(string path) => Name = path;

    /// <summary>The sources of <paramref name="paths"/>, in order.</summary>
    public static IReadOnlyList<IFlowSource> Of(IEnumerable<string> paths) => paths.Select(p => (IFlowSource)new CaptureFileSource(p)).ToList();

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        ICaptureReader reader;
        try
        {
            reader = CaptureFile.Open(Name);
        }
        catch (InputException ex)
        {
            sink.Fail(ex);
            return;
        }
        using (reader) sink.ReadPackets(reader, pipelined: true);
    }
}
