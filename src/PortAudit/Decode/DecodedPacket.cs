using PortAudit.Common;

namespace PortAudit.Decode;

/// <summary>TCP header flags.</summary>
[Flags]
public enum TcpFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>FIN.</summary>
    Fin = 0x01,
    /// <summary>SYN.</summary>
    Syn = 0x02,
    /// <summary>RST.</summary>
    Rst = 0x04,
    /// <summary>PSH.</summary>
    Psh = 0x08,
    /// <summary>ACK.</summary>
    Ack = 0x10,
    /// <summary>URG.</summary>
    Urg = 0x20,
}

/// <summary>Outcome of decoding one frame.</summary>
public enum DecodeStatus
{
    /// <summary>An IP packet was found and decoded.</summary>
    Ok,
    /// <summary>The link type is not one the decoder knows.</summary>
    UnsupportedLinkType,
    /// <summary>A valid frame that carries no IP (ARP, LLC, spanning tree...).</summary>
    NotIp,
    /// <summary>The frame ends inside a header the decoder needs.</summary>
    Truncated,
    /// <summary>A header contradicts itself (bad version, header length below the minimum...).</summary>
    Malformed,
}

/// <summary>
/// The transport 5-tuple of an IP packet a frame holds besides the one decoded: the packet an ICMP or ICMPv6 error quotes,
/// the one it answers (see <see cref="IcmpMessages"/>); a tunnel's outer packet (<see cref="TunnelCarrier"/>).
/// </summary>
public struct PacketEnds
{
    /// <summary>True when there is such a packet: an error whose quote could be read, a frame that came in a tunnel.</summary>
    public bool Present;
    /// <summary>Source of the packet (for a quote, the flow's sender).</summary>
    public IpAddr Source;
    /// <summary>Destination of the packet.</summary>
    public IpAddr Destination;
    /// <summary>IP protocol of the packet.</summary>
    public byte Protocol;
    /// <summary>Source port of the packet, 0 when it has none.</summary>
    public ushort SourcePort;
    /// <summary>Destination port of the packet, 0 when it has none.</summary>
    public ushort DestinationPort;

    /// <summary>The ends of <paramref name="packet"/>, as decoded.</summary>
    internal static PacketEnds Of(in DecodedPacket packet) => new()
    {
        Present = true,
        Source = packet.Source,
        Destination = packet.Destination,
        Protocol = packet.Protocol,
        SourcePort = packet.HasPorts ? packet.SourcePort : (ushort)0,
        DestinationPort = packet.HasPorts ? packet.DestinationPort : (ushort)0,
    };
}

/// <summary>
/// The outermost IP packet of a tunnel (GRE, IP-in-IP, 6in4, VXLAN, Geneve, GTP-U, L2TP): what a firewall between the tunnel's
/// ends sees and judges, whatever the tunnel carries.
/// </summary>
public struct TunnelCarrier
{
    /// <summary>
    /// The outer packet's ends: its protocol 4 (IP-in-IP), 41 (6in4), 47 (GRE) or 17 (VXLAN, Geneve, GTP-U, L2TP:
    /// <see cref="UdpTunnels"/>), ports only for a tunnel in UDP.
    /// </summary>
    public PacketEnds Outer;
    /// <summary>The outer packet's IP-layer bytes.</summary>
    public int IpBytes;

    /// <summary>True when the frame's outermost IP packet is a tunnel's, opened or not.</summary>
    public readonly bool Present => Outer.Present;

    /// <summary>
    /// True when the outer packet came from the tunnel's listening port to another (a VXLAN endpoint answering from
    /// 4789, Geneve's from 6081): its sender is the tunnel's server, whichever end spoke first.
    /// </summary>
    public readonly bool SentByServer => Outer.Protocol == IpProtocol.Udp && UdpTunnels.SentFromTunnelPort(Outer.SourcePort, Outer.DestinationPort);
}

/// <summary>
/// What the decoder learned from one frame: the innermost IP packet's addresses, protocol, ports,
/// TCP state and where the transport payload lies in the frame. A plain struct, filled in place.
/// </summary>
public struct DecodedPacket
{
    /// <summary>4 or 6.</summary>
    public byte IpVersion;
    /// <summary>Source address of the innermost IP header.</summary>
    public IpAddr Source;
    /// <summary>Destination address of the innermost IP header.</summary>
    public IpAddr Destination;
    /// <summary>Transport protocol number (after IPv6 extension headers).</summary>
    public byte Protocol;
    /// <summary>True when the transport header was read and the ports are valid.</summary>
    public bool HasPorts;
    /// <summary>Source port (TCP, UDP, SCTP).</summary>
    public ushort SourcePort;
    /// <summary>Destination port (TCP, UDP, SCTP).</summary>
    public ushort DestinationPort;
    /// <summary>TCP flags; <see cref="TcpFlags.None"/> for other protocols.</summary>
    public TcpFlags Flags;
    /// <summary>TCP sequence number.</summary>
    public uint Sequence;
    /// <summary>TCP acknowledgment number.</summary>
    public uint Acknowledgment;
    /// <summary>TCP urgent pointer (meaningful with <see cref="TcpFlags.Urg"/>): the urgent data ends before sequence plus it.</summary>
    public ushort UrgentPointer;
    /// <summary>IP-layer bytes: the IPv4 total length, or the IPv6 payload length plus 40.</summary>
    public int IpBytes;
    /// <summary>Offset of the transport payload in the frame.</summary>
    public int PayloadOffset;
    /// <summary>Captured length of the transport payload.</summary>
    public int PayloadLength;
    /// <summary>True for any fragment of a fragmented IP packet.</summary>
    public bool IsFragment;
    /// <summary>True for a fragment other than the first: it carries no transport header.</summary>
    public bool IsLaterFragment;
    /// <summary>IP identification (IPv4) or fragment-header identification (IPv6).</summary>
    public uint FragmentId;
    /// <summary>ICMP or ICMPv6 type.</summary>
    public byte IcmpType;
    /// <summary>ICMP or ICMPv6 code.</summary>
    public byte IcmpCode;
    /// <summary>For ICMP and ICMPv6 error messages, the packet they answer.</summary>
    public PacketEnds Quote;
    /// <summary>How many tunnel headers (GRE, IP-in-IP, 6in4, VXLAN, Geneve, GTP-U, L2TP) were removed to reach this packet.</summary>
    public byte TunnelDepth;
    /// <summary>
    /// Set by the run, not by the decoder: <see cref="Quote"/> is the packet of a tunnel's carrier met earlier in the run,
    /// so the error is about that tunnel. A single table tells it from the carriers it holds; a split run's reader marks it.
    /// </summary>
    // Declared here, in the padding before Carrier: the packet stays 200 bytes, which a dealt run copies into its batches.
    public bool QuotesCarrier;
    /// <summary>
    /// The tunnel packet this one came in, when the frame's outermost IP packet is a tunnel's: with
    /// <see cref="TunnelDepth"/> 0 the tunnel could not be opened (a GRE, VXLAN, Geneve or GTP-U payload that is not IP, a later fragment) and
    /// this packet is the carrier itself.
    /// </summary>
    public TunnelCarrier Carrier;

    /// <summary>
    /// The transport payload within <paramref name="frame"/>, the bytes this packet was decoded from; empty for a
    /// later fragment, whose bytes continue a payload that began in another packet.
    /// </summary>
    public readonly ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> frame) =>
        PayloadLength > 0 && !IsLaterFragment ? frame.Slice(PayloadOffset, PayloadLength) : ReadOnlySpan<byte>.Empty;
}
