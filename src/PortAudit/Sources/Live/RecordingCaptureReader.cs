using PortAudit.Decode;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Sources.Live;

/// <summary>
/// Passes live packets through unchanged and saves each one on the way, so that saving needs no second
/// pass and no copy: the packet is written while its bytes are still libpcap's.
/// </summary>
public sealed class RecordingCaptureReader : ICaptureReader
{
    private readonly LiveCaptureReader _source;
    private readonly RotatingPcapNgWriter _writer;

    /// <summary>Records what <paramref name="source"/> reads into <paramref name="writer"/>; owns neither.</summary>
    public RecordingCaptureReader(LiveCaptureReader source, RotatingPcapNgWriter writer)
    {
        _source = source;
        _writer = writer;
    }

    /// <inheritdoc />
    public string Name => _source.Name;

    /// <inheritdoc />
    public long BytesRead => _source.BytesRead;

    /// <inheritdoc />
    public Action? Waiting
    {
        get => _source.Waiting;
        set => _source.Waiting = value;
    }

    /// <inheritdoc />
    public bool TryRead(out PacketRecord packet)
    {
        if (!_source.TryRead(out packet)) return false;
        _writer.Write(_source.CurrentInterface, packet);
        return true;
    }

    /// <summary>Nothing to release: the caller owns the source and the writer.</summary>
    public void Dispose() { }
}
