using System.Buffers.Binary;

namespace PortAudit.Decode;

/// <summary>A tunnel carried in UDP that the decoder opens, known by its IANA port and its header.</summary>
public enum UdpTunnel : byte
{
    /// <summary>Not a tunnel the decoder opens.</summary>
    None,

    /// <summary>VXLAN (RFC 7348): an Ethernet frame behind 8 bytes of header, on 4789.</summary>
    Vxlan,

    /// <summary>Geneve (RFC 8926): an Ethernet frame or an IP packet behind 8 bytes of header and its options, on 6081.</summary>
    Geneve,

    /// <summary>
    /// GTP-U (3GPP TS 29.281): a user's IP packet behind a G-PDU's header (8 bytes, 12 with its optional fields, then its
    /// extension headers), on 2152.
    /// </summary>
    GtpU,

    /// <summary>
    /// L2TP version 2 (RFC 2661): a data message's PPP frame behind its header (6 to 16 bytes and an offset pad), on 1701,
    /// opened when the frame carries IPv4 or IPv6.
    /// </summary>
    L2tp,
}

/// <summary>
/// The tunnels in UDP that overlays, mobile networks and remote access run across firewalls (VXLAN, Geneve, GTP-U, L2TP):
/// which datagram is one, where its header ends and what it carries. A firewall passes them as UDP to one port; the
/// conversations are inside.
/// </summary>
/// <remarks>
/// Linux, Open vSwitch and cloud load balancers send to the tunnel's port from a port hashed from the inner flow (RFC 7348
/// 5, RFC 8926 3.3), so each direction of a tunnel is a UDP conversation of its own, to the other end's port. GTP-U's ends
/// (a base station and its user plane gateway) mostly send from 2152 to 2152 (TS 29.281 4.4.2), L2TP's (a client and its
/// access concentrator) from 1701 to 1701.
/// </remarks>
public static class UdpTunnels
{
    /// <summary>VXLAN's port.</summary>
    public const ushort VxlanPort = 4789;

    /// <summary>Geneve's port.</summary>
    public const ushort GenevePort = 6081;

    /// <summary>GTP-U's port.</summary>
    public const ushort GtpUPort = 2152;

    /// <summary>L2TP's port.</summary>
    public const ushort L2tpPort = 1701;

    /// <summary>L2TP's flag of a control message (T, RFC 2661 3.1), which carries no packet.</summary>
    public const ushort L2tpControl = 0x8000;

    /// <summary>L2TP's flag of the length field (L).</summary>
    public const ushort L2tpHasLength = 0x4000;

    /// <summary>L2TP's flag of the Ns and Nr fields (S).</summary>
    public const ushort L2tpHasSequence = 0x0800;

    /// <summary>L2TP's flag of the offset size and its pad (O).</summary>
    public const ushort L2tpHasOffset = 0x0200;

    /// <summary>L2TP's reserved flag bits, clear in versions 2 and 3.</summary>
    public const ushort L2tpReserved = 0x34F0;

    /// <summary>
    /// What <see cref="TryReadHeader"/> says a GTP-U header carries: an IP packet whose own version nibble says IPv4 or
    /// IPv6, as no field of the header names it. No Ethernet type is 0.
    /// </summary>
    public const ushort IpOfItsVersion = 0;

    private const int HeaderLength = 8;
    private const byte VxlanFlagValidVni = 0x08;
    // RFC 7348's header as it is sent: the flags, then 3 reserved bytes, the VNI and one reserved byte, all zero but the flag.
    private const uint VxlanFirstWord = (uint)VxlanFlagValidVni << 24;
    private const int VxlanLastReservedAt = 7;
    // The group policy extension's (draft-smith-vxlan-group-policy, as Linux and Open vSwitch send it): the G flag beside I,
    // the D and A bits in the second byte, a group id in the third and fourth.
    private const byte VxlanGbpFlags = 0x88, VxlanGbpPolicyBits = 0x48;
    // Geneve's first byte: version (2 bits, 0) and the options' length in 4-byte words (6 bits).
    private const int GeneveVersionShift = 6;
    private const byte GeneveOptionWords = 0x3F;
    private const int GeneveProtocolAt = 2;
    // L2TP's version in the low nibble of its flags. A data message may leave out the length; a control message is
    // L2TP's own (its inspector names it) and carries no packet.
    private const ushort L2tpVersionMask = 0x000F, L2tpVersion2 = 2;
    // The flags, the tunnel and session ids; 2 more for the length, 4 for Ns and Nr, 2 for the offset size and its pad.
    private const int L2tpFixed = 6;

    /// <summary>The tunnel a datagram between ports <paramref name="a"/> and <paramref name="b"/> may be, by port alone (VXLAN first).</summary>
    public static UdpTunnel ByPort(ushort a, ushort b) =>
        a == VxlanPort || b == VxlanPort ? UdpTunnel.Vxlan
        : a == GenevePort || b == GenevePort ? UdpTunnel.Geneve
        : a == GtpUPort || b == GtpUPort ? UdpTunnel.GtpU
        : a == L2tpPort || b == L2tpPort ? UdpTunnel.L2tp
        : UdpTunnel.None;

    /// <summary>The tunnel's port.</summary>
    public static ushort PortOf(UdpTunnel tunnel) => tunnel switch
    {
        UdpTunnel.Vxlan => VxlanPort,
        UdpTunnel.Geneve => GenevePort,
        UdpTunnel.GtpU => GtpUPort,
        _ => L2tpPort,
    };

    /// <summary>True for a datagram from the tunnel's port to another: the end that listens sent it, whichever end spoke first.</summary>
    public static bool SentFromTunnelPort(ushort source, ushort destination) =>
        ByPort(source, destination) is not UdpTunnel.None and var tunnel && source == PortOf(tunnel) && destination != source;

    /// <summary>
    /// The tunnel <paramref name="payload"/>, a datagram's payload between <paramref name="sourcePort"/> and
    /// <paramref name="destinationPort"/>, opens: on the tunnel's port, with the header that tunnel writes (VXLAN's flag of a
    /// valid VNI, <see cref="ProvenByHeader"/> saying whether the rest of its header proves it; Geneve's version 0 naming
    /// Ethernet, IPv4 or IPv6; GTP-U's version 1 G-PDU whose length is the rest of the datagram, or more when
    /// <paramref name="cut"/>: the capture kept less of the datagram than its UDP header declares; L2TP's version 2 data
    /// message, whose length, when it gives one, is the datagram's).
    /// </summary>
    public static UdpTunnel Of(ReadOnlySpan<byte> payload, ushort sourcePort, ushort destinationPort, bool cut)
    {
        var tunnel = ByPort(sourcePort, destinationPort);
        if (tunnel == UdpTunnel.None || payload.Length < HeaderLength) return UdpTunnel.None;
        bool opens = tunnel switch
        {
            UdpTunnel.Vxlan => (payload[0] & VxlanFlagValidVni) != 0,
            UdpTunnel.Geneve => payload[0] >> GeneveVersionShift == 0
                && BinaryPrimitives.ReadUInt16BigEndian(payload[GeneveProtocolAt..])
                    is EtherTypes.TransparentBridging or EtherTypes.Ipv4 or EtherTypes.Ipv6,
            UdpTunnel.GtpU => IsGpdu(payload, cut),
            _ => IsL2tpData(payload, cut),
        };
        return opens ? tunnel : UdpTunnel.None;
    }

    // A G-PDU of GTP version 1 with its spare bit clear, whose length counts what follows its first 8 bytes: GTP'
    // (charging), echoes and signalling on the port carry no packet, and another protocol's datagram from a port that
    // happens to be 2152 (an old Windows or BSD ephemeral port) rarely says its own length there.
    private static bool IsGpdu(ReadOnlySpan<byte> payload, bool cut) =>
        GtpV1Header.TryRead(payload, out var header) && header.IsGtp && header.MessageType == GtpV1Header.Gpdu
        && (header.MessageLength == payload.Length || cut && header.MessageLength > payload.Length);

    // An L2TP version 2 data message with the reserved bits clear, its length (when it gives one) the datagram's, and its
    // header whole. What it carries proves the rest (ProvenByHeader): the PPP frame must hold an IPv4 or IPv6 packet.
    private static bool IsL2tpData(ReadOnlySpan<byte> payload, bool cut)
    {
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if ((flags & (L2tpControl | L2tpReserved | L2tpVersionMask)) != L2tpVersion2) return false;
        int declared = (flags & L2tpHasLength) != 0 ? BinaryPrimitives.ReadUInt16BigEndian(payload[2..]) : payload.Length;
        return (declared == payload.Length || cut && declared > payload.Length) && TryReadL2tpHeader(payload, out _);
    }

    /// <summary>
    /// True when <paramref name="header"/>, the start of a datagram <see cref="Of"/> took for <paramref name="tunnel"/>'s,
    /// alone shows it is the tunnel's (VXLAN's header as RFC 7348 or its group policy extension sends it, every other bit
    /// clear; Geneve's version and type; a G-PDU's length), so that one whose content cannot be opened is still its
    /// carrier's. VXLAN's flag is one bit, and L2TP's data message has few more: a VXLAN header with another bit set or an
    /// L2TP data message is the tunnel's only when its frame opens to an IP packet. Another protocol's datagram from a
    /// client whose port happened to be 4789 or 1701 (a resolver's or a NAT's pick; half of all DNS messages and every
    /// syslog line carry VXLAN's flag in their first byte), and the link's own negotiation in L2TP (LCP, IPCP, CHAP), then
    /// stay datagrams of their own.
    /// </summary>
    public static bool ProvenByHeader(UdpTunnel tunnel, ReadOnlySpan<byte> header) => tunnel switch
    {
        UdpTunnel.Vxlan => IsVxlanHeaderAsSent(header),
        UdpTunnel.L2tp => false,
        _ => true,
    };

    // RFC 7348's header, or the group policy extension's: every bit that neither sets is clear.
    private static bool IsVxlanHeaderAsSent(ReadOnlySpan<byte> header) =>
        header.Length >= HeaderLength && header[VxlanLastReservedAt] == 0
        && (BinaryPrimitives.ReadUInt32BigEndian(header) == VxlanFirstWord
            || header[0] == VxlanGbpFlags && (header[1] & ~VxlanGbpPolicyBits) == 0);

    // An L2TP data message's header: the flags, the length when L is set, the tunnel and session ids, Ns and Nr when S is,
    // and the offset size and as many bytes of pad when O is.
    private static bool TryReadL2tpHeader(ReadOnlySpan<byte> payload, out int length)
    {
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(payload);
        length = L2tpFixed + ((flags & L2tpHasLength) != 0 ? 2 : 0) + ((flags & L2tpHasSequence) != 0 ? 4 : 0);
        if ((flags & L2tpHasOffset) != 0)
        {
            if (payload.Length < length + 2) return false;
            length += 2 + BinaryPrimitives.ReadUInt16BigEndian(payload[length..]);
        }
        return payload.Length >= length;
    }

    /// <summary>
    /// Where what <paramref name="tunnel"/>'s header at the start of <paramref name="payload"/> carries begins, and its
    /// Ethernet type (<see cref="EtherTypes.TransparentBridging"/> for an Ethernet frame, <see cref="IpOfItsVersion"/>
    /// for GTP-U's IP packet, PPP's for L2TP's frame); false when the header is cut.
    /// </summary>
    public static bool TryReadHeader(UdpTunnel tunnel, ReadOnlySpan<byte> payload, out int length, out ushort carries)
    {
        if (payload.Length < HeaderLength)
        {
            (length, carries) = (HeaderLength, 0);
            return false;
        }
        switch (tunnel)
        {
            case UdpTunnel.Vxlan:
                // A fixed header, and always an Ethernet frame behind it.
                (length, carries) = (HeaderLength, EtherTypes.TransparentBridging);
                return true;
            case UdpTunnel.Geneve:
                length = HeaderLength + (payload[0] & GeneveOptionWords) * 4;
                carries = BinaryPrimitives.ReadUInt16BigEndian(payload[GeneveProtocolAt..]);
                return payload.Length >= length;
            case UdpTunnel.GtpU:
                carries = IpOfItsVersion;
                return GtpV1Header.TryReadPayloadOffset(payload, out length);
            default:
                carries = EtherTypes.Ppp;
                return TryReadL2tpHeader(payload, out length);
        }
    }
}
