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
}

/// <summary>
/// The tunnels in UDP that overlays run across firewalls (VXLAN, Geneve): which datagram is one, where its header ends and
/// what it carries. A firewall passes them as UDP to one port; the segments' conversations are inside.
/// </summary>
/// <remarks>
/// Linux, Open vSwitch and cloud load balancers send to the tunnel's port from a port hashed from the inner flow (RFC 7348
/// 5, RFC 8926 3.3), so each direction of a tunnel is a UDP conversation of its own, to the other end's port.
/// </remarks>
public static class UdpTunnels
{
    /// <summary>VXLAN's port.</summary>
    public const ushort VxlanPort = 4789;

    /// <summary>Geneve's port.</summary>
    public const ushort GenevePort = 6081;

    private const int HeaderLength = 8;
    private const byte VxlanFlagValidVni = 0x08;
    // Geneve's first byte: version (2 bits, 0) and the options' length in 4-byte words (6 bits).
    private const int GeneveVersionShift = 6;
    private const byte GeneveOptionWords = 0x3F;
    private const int GeneveProtocolAt = 2;

    /// <summary>The tunnel a datagram between ports <paramref name="a"/> and <paramref name="b"/> may be, by port alone (VXLAN first).</summary>
    public static UdpTunnel ByPort(ushort a, ushort b) =>
        a == VxlanPort || b == VxlanPort ? UdpTunnel.Vxlan
        : a == GenevePort || b == GenevePort ? UdpTunnel.Geneve
        : UdpTunnel.None;

    /// <summary>The tunnel's port.</summary>
    public static ushort PortOf(UdpTunnel tunnel) => tunnel == UdpTunnel.Vxlan ? VxlanPort : GenevePort;

    /// <summary>True for a datagram from the tunnel's port to another: the end that listens sent it, whichever end spoke first.</summary>
    public static bool SentFromTunnelPort(ushort source, ushort destination) =>
        ByPort(source, destination) is not UdpTunnel.None and var tunnel && source == PortOf(tunnel) && destination != source;

    /// <summary>
    /// The tunnel <paramref name="payload"/>, a datagram's payload between <paramref name="sourcePort"/> and
    /// <paramref name="destinationPort"/>, opens: on the tunnel's port, with the header that tunnel writes (VXLAN's flag of a
    /// valid VNI; Geneve's version 0 naming Ethernet, IPv4 or IPv6).
    /// </summary>
    public static UdpTunnel Of(ReadOnlySpan<byte> payload, ushort sourcePort, ushort destinationPort)
    {
        var tunnel = ByPort(sourcePort, destinationPort);
        if (tunnel == UdpTunnel.None || payload.Length < HeaderLength) return UdpTunnel.None;
        if (tunnel == UdpTunnel.Vxlan) return (payload[0] & VxlanFlagValidVni) != 0 ? tunnel : UdpTunnel.None;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(payload[GeneveProtocolAt..]);
        bool carried = type is EtherTypes.TransparentBridging or EtherTypes.Ipv4 or EtherTypes.Ipv6;
        return payload[0] >> GeneveVersionShift == 0 && carried ? tunnel : UdpTunnel.None;
    }

    /// <summary>
    /// Where what <paramref name="tunnel"/>'s header at the start of <paramref name="payload"/> carries begins, and its
    /// Ethernet type (<see cref="EtherTypes.TransparentBridging"/> for an Ethernet frame); false when the header is cut.
    /// </summary>
    public static bool TryReadHeader(UdpTunnel tunnel, ReadOnlySpan<byte> payload, out int length, out ushort carries)
    {
        if (payload.Length < HeaderLength)
        {
            (length, carries) = (HeaderLength, 0);
            return false;
        }
        if (tunnel == UdpTunnel.Vxlan)
        {
            // A fixed header, and always an Ethernet frame behind it.
            (length, carries) = (HeaderLength, EtherTypes.TransparentBridging);
            return true;
        }
        length = HeaderLength + (payload[0] & GeneveOptionWords) * 4;
        carries = BinaryPrimitives.ReadUInt16BigEndian(payload[GeneveProtocolAt..]);
        return payload.Length >= length;
    }
}
