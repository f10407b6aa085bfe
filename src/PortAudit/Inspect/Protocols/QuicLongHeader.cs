using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The QUIC versions read (RFC 9000, RFC 9369, drafts 29 to 32), each as a one-byte kind: 1, 2, or the draft's number;
/// 0 for any other version.
/// </summary>
public static class QuicVersion
{
    /// <summary>QUIC version 1 (0x00000001).</summary>
    public const byte V1 = 1;

    /// <summary>QUIC version 2 (0x6b3343cf).</summary>
    public const byte V2 = 2;

    /// <summary>The kind of a version field: <see cref="V1"/>, <see cref="V2"/>, 29 to 32 for drafts, 0 for others.</summary>
    public static byte Kind(uint version) => version switch
    {
        0x00000001 => V1,
        0x6b3343cf => V2,
        >= 0xff00001d and <= 0xff000020 => (byte)version,
        _ => 0,
    };

    /// <summary>The version's word in a detail: quic1, quic2, draft-29.</summary>
    public static string Name(byte kind) => kind switch
    {
        V1 => "quic1",
        V2 => "quic2",
        29 => "draft-29",
        30 => "draft-30",
        31 => "draft-31",
        _ => "draft-32",
    };
}

/// <summary>The packet types of a long header, the same in every version once read (RFC 9369 3.2 renumbers them).</summary>
public enum QuicPacketType : byte
{
    /// <summary>An Initial packet: CRYPTO frames of the first handshake messages.</summary>
    Initial,
    /// <summary>A 0-RTT packet.</summary>
    ZeroRtt,
    /// <summary>A Handshake packet.</summary>
    Handshake,
    /// <summary>A Retry packet: no Length, the rest of the datagram.</summary>
    Retry,
    /// <summary>A Version Negotiation packet: version 0.</summary>
    VersionNegotiation,
}

/// <summary>
/// A QUIC long header (RFC 9000 17.2): form and fixed bits, a version read (<see cref="QuicVersion"/>), connection IDs of
/// at most 20 bytes, and for Initial, 0-RTT and Handshake packets the token and Length varints, all within the datagram.
/// </summary>
public readonly ref struct QuicLongHeader
{
    private const int MaxConnectionId = 20;

    /// <summary>The packet's type.</summary>
    public readonly QuicPacketType Type;

    /// <summary>The version's kind (<see cref="QuicVersion.Kind"/>), 0 for Version Negotiation.</summary>
    public readonly byte Version;

    /// <summary>The Destination Connection ID.</summary>
    public readonly ReadOnlySpan<byte> Destination;

    /// <summary>The Source Connection ID.</summary>
    public readonly ReadOnlySpan<byte> Source;

    /// <summary>Where the (protected) packet number starts; 0 for Retry and Version Negotiation.</summary>
    public readonly int PacketNumberAt;

    /// <summary>Bytes of the datagram the packet takes: to the end of its Length, or the rest for Retry and Version Negotiation.</summary>
    public readonly int PacketLength;

    private QuicLongHeader(QuicPacketType type, byte version, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source, int packetNumberAt, int packetLength)
    {
        Type = type;
        Version = version;
        Destination = destination;
        Source = source;
        PacketNumberAt = packetNumberAt;
        PacketLength = packetLength;
    }

    /// <summary>
    /// Reads the long header at the start of <paramref name="data"/>; false for a short header, an unknown version, a
    /// connection ID longer than 20 bytes, or a token or Length that runs past the datagram. A few compares reject
    /// other traffic before any length is read.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out QuicLongHeader header)
    {
        header = default;
        if (data.Length < 7 || (data[0] & 0x80) == 0) return false;
        uint raw = BinaryPrimitives.ReadUInt32BigEndian(data[1..]);
        byte version = QuicVersion.Kind(raw);
        // Version Negotiation leaves the other bits of its first byte unset by rule (RFC 8999 6); others set the fixed bit.
        if (raw != 0 && (version == 0 || (data[0] & 0x40) == 0)) return false;
        // Each connection ID: a length byte of at most 20, then its bytes.
        int at = 5;
        if (data[at] > MaxConnectionId || at + 1 + data[at] >= data.Length) return false;
        var destination = data.Slice(at + 1, data[at]);
        at += 1 + data[at];
        if (data[at] > MaxConnectionId || at + 1 + data[at] > data.Length) return false;
        var source = data.Slice(at + 1, data[at]);
        at += 1 + data[at];
        if (raw == 0)
        {
            header = new(QuicPacketType.VersionNegotiation, 0, destination, source, 0, data.Length);
            return true;
        }
        int bits = data[0] >> 4 & 3;
        // Version 2 numbers the types one higher (RFC 9369 3.2): Retry 0, Initial 1, 0-RTT 2, Handshake 3.
        var type = (QuicPacketType)(version == QuicVersion.V2 ? (bits + 3) & 3 : bits);
        if (type == QuicPacketType.Retry)
        {
            header = new(type, version, destination, source, 0, data.Length);
            return true;
        }
        if (type == QuicPacketType.Initial)
        {
            if (!QuicVarint.TryRead(data, ref at, out ulong token) || token > (ulong)(data.Length - at)) return false;
            at += (int)token;
        }
        if (!QuicVarint.TryRead(data, ref at, out ulong length) || length > (ulong)(data.Length - at)) return false;
        header = new(type, version, destination, source, at, at + (int)length);
        return true;
    }
}

/// <summary>QUIC's variable-length integers (RFC 9000 16): the first byte's top two bits give 1, 2, 4 or 8 bytes.</summary>
public static class QuicVarint
{
    /// <summary>Reads the integer at <paramref name="at"/> and moves past it; false when it runs past <paramref name="data"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, ref int at, out ulong value)
    {
        value = 0;
        if (at >= data.Length) return false;
        int length = 1 << (data[at] >> 6);
        if (length > data.Length - at) return false;
        value = data[at] & 0x3FUL;
        for (int i = 1; i < length; i++) value = value << 8 | data[at + i];
        at += length;
        return true;
    }
}
