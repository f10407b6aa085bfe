namespace PortAudit.Decode;

/// <summary>
/// One captured packet as the reader sees it. <see cref="Data"/> points into the reader's buffer
/// and is valid only until the next read: copy what must outlive it.
/// </summary>
public readonly ref struct PacketRecord
{
    /// <summary>Creates a record.</summary>
    public PacketRecord(ReadOnlySpan<byte> data, long timestampNs, int originalLength, int linkType, long fileOffset)
    {
        Data = data;
        TimestampNs = timestampNs;
        OriginalLength = originalLength;
        LinkType = linkType;
        FileOffset = fileOffset;
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
}
