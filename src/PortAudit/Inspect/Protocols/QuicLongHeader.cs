using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The QUIC versions whose client Initials are opened, each as a one-byte kind: RFC 9000's version 1, RFC 9369's version
/// 2, drafts 23 to 34 (the draft's number), and the versions that deployments of those drafts named: Facebook's mvfst
/// (0xfaceb001, 0xfaceb002, 0xfaceb00e) and Google's Q050, T050 and T051, which follow the invariant long header
/// (RFC 8999) with salts of their own; 0 for any other version.
/// </summary>
public static class QuicVersion
{
    /// <summary>QUIC version 1 (0x00000001).</summary>
    public const byte V1 = 1;

    /// <summary>QUIC version 2 (0x6b3343cf).</summary>
    public const byte V2 = 2;

    /// <summary>mvfst's version on draft 22's salt (0xfaceb001).</summary>
    public const byte Mvfst22 = 0xF1;

    /// <summary>mvfst's version on draft 27 (0xfaceb002).</summary>
    public const byte Mvfst27 = 0xF2;

    /// <summary>mvfst's experimental version, on draft 27's salt (0xfaceb00e).</summary>
    public const byte MvfstExperimental = 0xFE;

    /// <summary>Google's Q050 (0x51303530): QUIC crypto's CHLO in the Initial's frames.</summary>
    public const byte Q050 = 0xA0;

    /// <summary>Google's T050 (0x54303530): a TLS ClientHello in the Initial's frames.</summary>
    public const byte T050 = 0xB0;

    /// <summary>Google's T051 (0x54303531).</summary>
    public const byte T051 = 0xB1;

    /// <summary>The kind of a version field; 0 for a version not opened.</summary>
    public static byte Kind(uint version) => version switch
    {
        0x00000001 => V1,
        0x6b3343cf => V2,
        >= 0xff000017 and <= 0xff000022 => (byte)version,
        0xfaceb001 => Mvfst22,
        0xfaceb002 => Mvfst27,
        0xfaceb00e => MvfstExperimental,
        0x51303530 => Q050,
        0x54303530 => T050,
        0x54303531 => T051,
        _ => 0,
    };

    /// <summary>True for Google's versions, whose Initial frames are numbered apart from RFC 9000's.</summary>
    public static bool IsGoogle(byte kind) => kind is Q050 or T050 or T051;

    /// <summary>The version's word in a detail: quic1, quic2, draft-29, mvfst-faceb001, gquic-Q050.</summary>
    public static string Name(byte kind) => kind switch
    {
        V1 => "quic1",
        V2 => "quic2",
        Mvfst22 => "mvfst-faceb001",
        Mvfst27 => "mvfst-faceb002",
        MvfstExperimental => "mvfst-faceb00e",
        Q050 => "gquic-Q050",
        T050 => "gquic-T050",
        T051 => "gquic-T051",
        >= FirstDraft and <= LastDraft => DraftNames[kind - FirstDraft],
        // No kind Kind gives; total all the same, as an inspector's memory may hold anything (HostileInputTests).
        _ => "unknown",
    };

    private const int FirstDraft = 23, LastDraft = 34;

    // One string per draft, made once: a name is asked for every QUIC flow.
    private static readonly string[] DraftNames = Enumerable.Range(FirstDraft, LastDraft - FirstDraft + 1).Select(n => $"draft-{n}").ToArray();
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
/// A QUIC long header (RFC 9000 17.2): form and fixed bits, a version opened (<see cref="QuicVersion"/>), connection IDs of
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
