using System.Buffers.Binary;

namespace PortAudit.Decode;

/// <summary>
/// GRE headers (RFC 2784 and 2890; version 1, PPTP's enhanced GRE, RFC 2637) and the mirror sessions switches send in
/// them (Cisco's ERSPAN types I to III, draft-foschiano-erspan): where what a GRE packet carries begins, and its Ethernet
/// type. A mirrored frame is opened like a tunnel's: the conversation it copies is what the audit judges, and the GRE
/// flow from the switch to the analyser is the tunnel's own.
/// </summary>
public static class GreTunnels
{
    /// <summary>PPP in GRE (PPTP's data channel).</summary>
    public const ushort TypePpp = EtherTypes.Ppp;

    /// <summary>ERSPAN types I and II: type II when the GRE header has a sequence number, type I (a bare frame) when not.</summary>
    public const ushort TypeErspan = 0x88BE;

    /// <summary>
    /// ERSPAN type III; also what <see cref="Read"/> says such a header carries when it names an IP packet, of either
    /// version.
    /// </summary>
    public const ushort TypeErspanIii = 0x22EB;

    private const int BaseLength = 4;
    private const int TypeAt = 2;
    private const ushort ChecksumPresent = 0x8000;
    private const ushort KeyPresent = 0x2000;
    private const ushort SequencePresent = 0x1000;
    // Version 1 only: an acknowledgment number follows the sequence number.
    private const ushort AcknowledgmentPresent = 0x0080;
    private const ushort VersionMask = 0x0007;

    // ERSPAN's headers: the version in the first four bits (1 for type II, 2 for type III).
    private const int ErspanIiLength = 8;
    private const int ErspanIiVersion = 1;
    private const int ErspanIiiLength = 12;
    private const int ErspanIiiVersion = 2;
    // Type III's last two bytes: P, the frame type (5 bits, 0 Ethernet, 2 IP), hardware id, direction, granularity and
    // O, which says an 8-byte platform-specific sub-header follows.
    private const int ErspanIiiFrameTypeAt = 10;
    private const int ErspanIiiOptionsAt = 11;
    private const int ErspanIiiPlatformLength = 8;
    private const int ErspanFrameEthernet = 0;
    private const int ErspanFrameIp = 2;

    /// <summary>
    /// Reads the GRE header at the start of <paramref name="gre"/> and, for a mirror session, its ERSPAN header:
    /// <paramref name="length"/> is where what it carries begins, <paramref name="carries"/> its Ethernet type
    /// (<see cref="EtherTypes.TransparentBridging"/> for an Ethernet frame, <see cref="TypeErspanIii"/> for an IP packet
    /// behind that header, <see cref="TypePpp"/>, or the GRE header's own type). <see cref="DecodeStatus.NotIp"/> for a GRE
    /// version or an ERSPAN header the decoder does not know.
    /// </summary>
    public static DecodeStatus Read(ReadOnlySpan<byte> gre, out int length, out ushort carries)
    {
        (length, carries) = (BaseLength, 0);
        if (gre.Length < BaseLength) return DecodeStatus.Truncated;
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(gre);
        int version = flags & VersionMask;
        if (version > 1) return DecodeStatus.NotIp;
        carries = BinaryPrimitives.ReadUInt16BigEndian(gre[TypeAt..]);
        length += ((flags & ChecksumPresent) != 0 ? 4 : 0) + ((flags & KeyPresent) != 0 ? 4 : 0)
            + ((flags & SequencePresent) != 0 ? 4 : 0) + (version == 1 && (flags & AcknowledgmentPresent) != 0 ? 4 : 0);
        if (gre.Length < length) return DecodeStatus.Truncated;
        if (carries == TypeErspan && (flags & SequencePresent) == 0)
        {
            // Type I: the mirrored frame right behind GRE's four bytes.
            carries = EtherTypes.TransparentBridging;
            return DecodeStatus.Ok;
        }
        return carries switch
        {
            TypeErspan => ReadErspanIi(gre, ref length, out carries),
            TypeErspanIii => ReadErspanIii(gre, ref length, out carries),
            _ => DecodeStatus.Ok,
        };
    }

    private static DecodeStatus ReadErspanIi(ReadOnlySpan<byte> gre, ref int length, out ushort carries)
    {
        carries = EtherTypes.TransparentBridging;
        if (gre.Length < length + ErspanIiLength) return DecodeStatus.Truncated;
        if (gre[length] >> 4 != ErspanIiVersion) return DecodeStatus.NotIp;
        length += ErspanIiLength;
        return DecodeStatus.Ok;
    }

    private static DecodeStatus ReadErspanIii(ReadOnlySpan<byte> gre, ref int length, out ushort carries)
    {
        carries = TypeErspanIii;
        if (gre.Length < length + ErspanIiiLength) return DecodeStatus.Truncated;
        var header = gre[length..];
        if (header[0] >> 4 != ErspanIiiVersion) return DecodeStatus.NotIp;
        int frameType = (header[ErspanIiiFrameTypeAt] >> 2) & 0x1F;
        length += ErspanIiiLength + ((header[ErspanIiiOptionsAt] & 0x01) != 0 ? ErspanIiiPlatformLength : 0);
        if (frameType == ErspanFrameEthernet) carries = EtherTypes.TransparentBridging;
        return frameType is ErspanFrameEthernet or ErspanFrameIp ? DecodeStatus.Ok : DecodeStatus.NotIp;
    }
}
