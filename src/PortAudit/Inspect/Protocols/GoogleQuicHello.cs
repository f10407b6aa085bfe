using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The client's first packet of Google's QUIC from before it took the IETF's protection (Q024 to Q046), which travels in
/// clear: a header naming the version (<c>Q0</c> and two digits), a 12-byte hash, then a STREAM frame on stream 1 holding
/// QUIC crypto's client hello (<c>CHLO</c>), whose <c>SNI</c> tag names the server. Up to Q043 the header is the public
/// header (flags, an 8-byte connection ID, the version, the packet number); Q046 puts the version in a long header whose
/// connection ID lengths are 4-bit fields.
/// </summary>
/// <remarks>
/// A claim needs the version where the header puts it, in a datagram of at least 1,200 bytes (the hello is padded to the
/// packet's size), and the frame's data to begin with <c>CHLO</c>: a tag of a few ASCII bytes at two fixed places.
/// </remarks>
public readonly ref struct GoogleQuicHello
{
    // Public header flags (gQUIC wire layout): the version is present, an 8-byte connection ID is present, a reset.
    private const byte HasVersion = 0x01, IsReset = 0x02, HasConnectionId = 0x08;
    private const int ConnectionIdLength = 8, VersionLength = 4, HashLength = 12;

    // Q046's connection ID lengths byte: a destination of 8 bytes (5 + 3), no source.
    private const byte Q046Lengths = 0x50;

    // The version that dropped the private flags byte after the hash (Q034), and the one that wrote lengths big-endian (Q039).
    private const int FirstWithoutPrivateFlags = 34, FirstBigEndian = 39, LastPublicHeader = 43, LongHeader = 46;

    // STREAM frame type bits: a stream frame, its data length present; the offset's and stream ID's length fields.
    private const byte StreamFrame = 0x80, HasDataLength = 0x20;
    private const int CryptoStream = 1;

    /// <summary>The version's number: 43 for Q043.</summary>
    public readonly int Version;

    /// <summary>The <c>SNI</c> tag's value, empty when the hello has none.</summary>
    public readonly ReadOnlySpan<byte> ServerName;

    private GoogleQuicHello(int version, ReadOnlySpan<byte> serverName)
    {
        Version = version;
        ServerName = serverName;
    }

    /// <summary>Reads the client hello packet at the start of a datagram; false for anything else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out GoogleQuicHello hello)
    {
        hello = default;
        if (data.Length < QuicInspector.MinClientDatagram) return false;
        if (!TryReadHeader(data, out int version, out int at)) return false;
        at += HashLength + (version < FirstWithoutPrivateFlags ? 1 : 0);
        if (!TryReadStream(data, at, version, out var chlo) || !TryReadServerName(chlo, out var name)) return false;
        hello = new GoogleQuicHello(version, name);
        return true;
    }

    /// <summary>
    /// Reads QUIC crypto's client hello (<c>CHLO</c>, a tag count, then each tag with the end of its value, then the values):
    /// the value of its <c>SNI</c> tag, empty when it has none or its table runs past the bytes. False when the bytes are
    /// no CHLO.
    /// </summary>
    public static bool TryReadServerName(ReadOnlySpan<byte> chlo, out ReadOnlySpan<byte> name)
    {
        name = default;
        if (chlo.Length < 8 || !chlo.StartsWith("CHLO"u8)) return false;
        int tags = BinaryPrimitives.ReadUInt16LittleEndian(chlo[4..]);
        // Each tag's entry is 8 bytes: a table longer than the message ends the reading, with no name.
        long valuesAt = 8 + 8L * tags;
        if (valuesAt > chlo.Length) return true;
        uint previous = 0;
        for (int i = 0; i < tags; i++)
        {
            var entry = chlo.Slice(8 + 8 * i, 8);
            uint end = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            if (end < previous || valuesAt + end > chlo.Length) return true;
            if (entry.StartsWith("SNI\0"u8))
            {
                name = chlo.Slice((int)(valuesAt + previous), (int)(end - previous));
                return true;
            }
            previous = end;
        }
        return true;
    }

    /// <summary>The flow's detail: <c>sni=...; version=gquic-Q043</c>.</summary>
    public AppDetail Detail() => Detail(ServerName, $"gquic-Q{Version:D3}");

    /// <summary>A detail of a hello's server name (when it named one) and a version's word.</summary>
    public static AppDetail Detail(ReadOnlySpan<byte> serverName, string version)
    {
        TlsHello named = default;
        named.ServerName = serverName;
        return TlsHello.WithVersion(named.Detail(), version);
    }

    // The header up to the hash: the version's number and where the hash starts.
    private static bool TryReadHeader(ReadOnlySpan<byte> data, out int version, out int at)
    {
        version = 0;
        at = 0;
        byte first = data[0];
        if ((first & 0x80) == 0)
        {
            // Public header: the client's first packets carry the version and the connection ID, and are no reset.
            if ((first & (HasVersion | IsReset | HasConnectionId)) != (HasVersion | HasConnectionId)) return false;
            at = 1 + ConnectionIdLength;
            if (!TryReadVersion(data.Slice(at, VersionLength), out version) || version > LastPublicHeader) return false;
            // The packet number's length: 1, 2, 4 or 6 bytes.
            at += VersionLength + (first >> 4 & 3) switch { 0 => 1, 1 => 2, 2 => 4, _ => 6 };
            return true;
        }
        // Q046's long header: the fixed bit, the version, the lengths byte, the destination, a packet number of 1 to 4 bytes.
        if ((first & 0x40) == 0 || !TryReadVersion(data.Slice(1, VersionLength), out version) || version != LongHeader
            || data[1 + VersionLength] != Q046Lengths) return false;
        at = 1 + VersionLength + 1 + ConnectionIdLength + (first & 3) + 1;
        return true;
    }

    // "Q0" and two digits.
    private static bool TryReadVersion(ReadOnlySpan<byte> tag, out int version)
    {
        version = 0;
        if (tag[0] != 'Q' || tag[1] != '0' || !char.IsAsciiDigit((char)tag[2]) || !char.IsAsciiDigit((char)tag[3])) return false;
        version = (tag[2] - '0') * 10 + (tag[3] - '0');
        return true;
    }

    // The first frame, a STREAM frame on the crypto stream: its data.
    private static bool TryReadStream(ReadOnlySpan<byte> data, int at, int version, out ReadOnlySpan<byte> stream)
    {
        stream = default;
        if (at + 1 > data.Length) return false;
        byte type = data[at++];
        if ((type & StreamFrame) == 0) return false;
        int offsetLength = type >> 2 & 7, idLength = (type & 3) + 1;
        if (offsetLength > 0) offsetLength++;
        if (at + idLength + offsetLength > data.Length) return false;
        uint id = 0;
        for (int i = 0; i < idLength; i++) id = version < FirstBigEndian ? id | (uint)data[at + i] << (8 * i) : id << 8 | data[at + i];
        if (id != CryptoStream) return false;
        at += idLength + offsetLength;
        int length = data.Length - at;
        if ((type & HasDataLength) != 0)
        {
            if (at + 2 > data.Length) return false;
            length = version < FirstBigEndian ? BinaryPrimitives.ReadUInt16LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
            at += 2;
            if (length > data.Length - at) return false;
        }
        stream = data.Slice(at, length);
        return true;
    }
}
