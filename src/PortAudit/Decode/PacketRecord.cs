namespace PortAudit.Decode;

/// <summary>
/// One captured packet as the reader sees it. <see cref="Data"/> points into the reader's buffer
/// and is valid only until the next read: copy what must outlive it.
/// </summary>
public readonly ref struct PacketRecord
{
    /// <summary>Creates a record.</summary>
    public PacketRecord(ReadOnlySpan<byte> data, long timestampNs, int originalLength, int linkType, long fileOffset,
        long framesPassed = 0)
    {
        Data = data;
        TimestampNs = timestampNs;
        OriginalLength = originalLength;
        LinkType = linkType;
        FileOffset = fileOffset;
        FramesPassed = framesPassed;
    }

    /// <summary>The captured bytes, starting at the link-layer header.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Capture time in nanoseconds since the Unix epoch, UTC.</summary>
    public long TimestampNs { get; }

    /// <summary>Length of the packet on the wire; larger than <see cref="Data"/> when the snaplen cut it.</summary>
    public int OriginalLength { get; }

    /// <summary>The LINKTYPE_ value of the interface that captured the packet (see <see cref="Decode.LinkType"/>).</summary>
    public int LinkType { get; }

    /// <summary>Byte offset of the record in the (decompressed) capture, for error messages.</summary>
    public long FileOffset { get; }

    /// <summary>
    /// Records the reader passed over just before this one that tshark numbers as frames though they hold no packet
    /// (a pcapng custom block, a systemd journal entry, a sysdig event): this packet's frame number is the previous
    /// packet's plus these plus one, so that the numbers a finding gives are the ones Wireshark shows.
    /// </summary>
    public long FramesPassed { get; }
}
