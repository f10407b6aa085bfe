using PortAudit.Decode;
using PortAudit.Sources.Files;

namespace PortAudit.Sources;

/// <summary>A source of packets: a capture file of any supported format, or a live interface.</summary>
public interface ICaptureReader : IDisposable
{
    /// <summary>The name used in messages: the path as given, "-" for standard input, or an interface name.</summary>
    string Name { get; }

    /// <summary>Bytes consumed so far (decompressed), for progress display.</summary>
    long BytesRead { get; }

    /// <summary>
    /// Reads the next packet. Returns false at the clean end of the input.
    /// Throws <see cref="CaptureFormatException"/> on damage; packets returned before stay valid.
    /// </summary>
    bool TryRead(out PacketRecord packet);

    /// <summary>
    /// Called by a reader that is about to wait for packets (a live interface with nothing ready, a pipe whose writer is
    /// silent), on the reading thread, from within <see cref="TryRead"/>: a read that gathers packets in batches hands
    /// on those it has, so that none waits for the next ones. Readers that never wait (files) ignore it.
    /// </summary>
    Action? Waiting
    {
        get => null;
        set { }
    }
}
