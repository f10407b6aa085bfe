using System.Buffers.Binary;
using System.Diagnostics;
using PortAudit.Common;

namespace PortAudit.Decode;

/// <summary>
/// Decodes a captured frame down to its innermost IP packet and transport header, in place and without allocation.
/// Every read is bounds-checked against the captured bytes, so hostile or cut frames yield a status, never an exception.
/// </summary>
public static class PacketDecoder
{
    // Deeper nesting than this is an attack on the decoder, not a network.
    private const int MaxTunnelDepth = 4;
    private const int MaxVlanTags = 4;
    private const int MaxExtensionHeaders = 16;

    /// <summary>Decodes <paramref name="frame"/> captured on a link of type <paramref name="linkType"/>.</summary>
    public static DecodeStatus Decode(int linkType, ReadOnlySpan<byte> frame, out DecodedPacket packet)
    {
        packet = default;
        switch ((LinkType)linkType)
        {
            case LinkType.Ethernet:
                return DecodeEthernet(frame, 0, ref packet);
            case LinkType.Raw:
            case LinkType.RawOpenBsd:
            case LinkType.LinktypeRaw:
                return DecodeIpByVersion(frame, 0, ref packet);
            case LinkType.Ipv4:
                return DecodeIpv4(frame, 0, ref packet);
            case LinkType.Ipv6:
                return DecodeIpv6(frame, 0, ref packet);
            case LinkType.LinuxSll:
                return frame.Length < 16 ? DecodeStatus.Truncated
                    : DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), frame, 16, ref packet);
            case LinkType.LinuxSll2:
                return frame.Length < 20 ? DecodeStatus.Truncated
                    : DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame), frame, 20, ref packet);
            case LinkType.Null:
                return DecodeLoopback(frame, hostOrder: true, ref packet);
            case LinkType.Loop:
                return DecodeLoopback(frame, hostOrder: false, ref packet);
            case LinkType.Ppp:
            case LinkType.PppHdlc:
                return DecodePpp(frame, 0, ref packet);
            default:
                return DecodeStatus.UnsupportedLinkType;
        }
    }

    // The places the peek reads: an untagged Ethernet header, then IPv4's version, protocol and addresses.
    private const int EthernetTypeAt = 12;
    private const int EthernetHeaderLength = 14;
    private const int Ipv4ProtocolAt = EthernetHeaderLength + 9;
    private const int Ipv4SourceAt = EthernetHeaderLength + 12;
    private const int Ipv4DestinationAt = EthernetHeaderLength + 16;
    private const int Ipv4MinimumHeaderLength = 20;

    /// <summary>
    /// The two addresses of a TCP packet over IPv4 in an untagged Ethernet frame, read where they lie without decoding the
    /// rest: for a reader that only needs to know whose packet it is (a split run's shard that will leave it to another).
    /// False for anything else: tags, tunnels and ICMP errors carry the addresses <see cref="Decode"/> gives elsewhere.
    /// </summary>
    /// <remarks>
    /// When it returns true and <see cref="Decode"/> of the same frame succeeds, the decoded packet has these addresses and
    /// quotes no other packet (<c>DecoderTests</c> checks it on every packet of the shared captures). The frame may
    /// still fail to decode (a TCP header cut short): the peek does not say it will succeed.
    /// </remarks>
    public static bool TryPeekTcpHosts(int linkType, ReadOnlySpan<byte> frame, out IpAddr source, out IpAddr destination)
    {
        if (linkType != (int)LinkType.Ethernet
            || frame.Length < EthernetHeaderLength + Ipv4MinimumHeaderLength
            || BinaryPrimitives.ReadUInt16BigEndian(frame[EthernetTypeAt..]) != EtherTypes.Ipv4
            || frame[EthernetHeaderLength] >> 4 != 4
            || frame[Ipv4ProtocolAt] != (byte)IpProtocol.Tcp)
        {
            source = destination = default;
            return false;
        }
        source = IpAddr.FromV4(frame.Slice(Ipv4SourceAt, 4));
        destination = IpAddr.FromV4(frame.Slice(Ipv4DestinationAt, 4));
        return true;
    }

    private static DecodeStatus DecodeEthernet(ReadOnlySpan<byte> frame, int offset, ref DecodedPacket packet)
    {
        if (frame.Length < offset + 14) return DecodeStatus.Truncated;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 12)..]);
        offset += 14;
        for (int tags = 0; type is EtherTypes.Vlan or EtherTypes.QinQ or EtherTypes.QinQOld; tags++)
        {
            if (tags == MaxVlanTags) return DecodeStatus.Malformed;
            if (frame.Length < offset + 4) return DecodeStatus.Truncated;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += 4;
        }
        return DecodeEtherType(type, frame, offset, ref packet);
    }

    private static DecodeStatus DecodeEtherType(ushort type, ReadOnlySpan<byte> frame, int offset, ref DecodedPacket packet)
    {
        switch (type)
        {
            case EtherTypes.Ipv4:
                return DecodeIpv4(frame, offset, ref packet);
            case EtherTypes.Ipv6:
                return DecodeIpv6(frame, offset, ref packet);
            case EtherTypes.PppoeSession:
                return frame.Length < offset + 6 ? DecodeStatus.Truncated : DecodePpp(frame, offset + 6, ref packet);
            case EtherTypes.Mpls:
                for (int labels = 0; labels < 8; labels++, offset += 4)
                {
                    if (frame.Length < offset + 4) return DecodeStatus.Truncated;
                    if ((frame[offset + 2] & 0x01) != 0) return DecodeIpByVersion(frame, offset + 4, ref packet);
                }
                return DecodeStatus.Malformed;
            default:
                return DecodeStatus.NotIp;
        }
    }

    private static DecodeStatus DecodeLoopback(ReadOnlySpan<byte> frame, bool hostOrder, ref DecodedPacket packet)
    {
        if (frame.Length < 4) return DecodeStatus.Truncated;
        uint family = BinaryPrimitives.ReadUInt32BigEndian(frame);
        // DLT_NULL is written in the capturing host's order, which the file does not record: a family fits in 16 bits.
        if (hostOrder && family > 0xFFFF) family = BinaryPrimitives.ReverseEndianness(family);
        return family switch
        {
            2 => DecodeIpv4(frame, 4, ref packet),
            10 or 24 or 28 or 30 => DecodeIpv6(frame, 4, ref packet),
            _ => DecodeStatus.NotIp,
        };
    }

    private static DecodeStatus DecodePpp(ReadOnlySpan<byte> frame, int offset, ref DecodedPacket packet)
    {
        if (frame.Length < offset + 2) return DecodeStatus.Truncated;
        if (frame[offset] == 0xFF && frame[offset + 1] == 0x03) offset += 2;
        if (frame.Length < offset + 1) return DecodeStatus.Truncated;
        int protocol;
        if ((frame[offset] & 0x01) != 0)
        {
            // Protocol-field compression: one byte.
            protocol = frame[offset];
            offset += 1;
        }
        else
        {
            if (frame.Length < offset + 2) return DecodeStatus.Truncated;
            protocol = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
            offset += 2;
        }
        return protocol switch
        {
            0x21 => DecodeIpv4(frame, offset, ref packet),
            0x57 => DecodeIpv6(frame, offset, ref packet),
            _ => DecodeStatus.NotIp,
        };
    }

    private static DecodeStatus DecodeIpByVersion(ReadOnlySpan<byte> frame, int offset, ref DecodedPacket packet)
    {
        if (frame.Length <= offset) return DecodeStatus.Truncated;
        return (frame[offset] >> 4) switch
        {
            4 => DecodeIpv4(frame, offset, ref packet),
            6 => DecodeIpv6(frame, offset, ref packet),
            _ => DecodeStatus.Malformed,
        };
    }

    private static DecodeStatus DecodeIpv4(ReadOnlySpan<byte> frame, int offset, ref DecodedPacket packet)
    {
        if (frame.Length < offset + 20) return DecodeStatus.Truncated;
        var ip = frame[offset..];
        if (ip[0] >> 4 != 4) return DecodeStatus.Malformed;
        int headerLength = (ip[0] & 0x0F) * 4;
        if (headerLength < 20) return DecodeStatus.Malformed;
        if (ip.Length < headerLength) return DecodeStatus.Truncated;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        // Segmentation offload leaves the total length 0 on the sending host's own capture.
        if (totalLength == 0) totalLength = ip.Length;
        if (totalLength < headerLength) return DecodeStatus.Malformed;
        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        packet.IpVersion = 4;
        packet.IpBytes = totalLength;
        packet.Protocol = ip[9];
        packet.Source = IpAddr.FromV4(ip[12..]);
        packet.Destination = IpAddr.FromV4(ip[16..]);
        packet.HasPorts = false;
        packet.IsFragment = (fragment & 0x3FFF) != 0;
        packet.IsLaterFragment = (fragment & 0x1FFF) != 0;
        packet.FragmentId = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (packet.IsLaterFragment) return LaterFragment(ref packet);
        int end = offset + Math.Min(totalLength, ip.Length);
        return DecodeTransport(frame, offset + headerLength, end, ref packet);
    }

    private static DecodeStatus DecodeIpv6(ReadOnlySpan<byte> frame, int offset, ref DecodedPacket packet)
    {
        if (frame.Length < offset + 40) return DecodeStatus.Truncated;
        var ip = frame[offset..];
        if (ip[0] >> 4 != 6) return DecodeStatus.Malformed;
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        // A zero payload length means a jumbogram or offload: the captured length is the best we know.
        if (payloadLength == 0) payloadLength = ip.Length - 40;
        packet.IpVersion = 6;
        packet.IpBytes = payloadLength + 40;
        packet.Source = IpAddr.FromV6(ip[8..]);
        packet.Destination = IpAddr.FromV6(ip[24..]);
        packet.HasPorts = false;
        packet.IsFragment = false;
        packet.IsLaterFragment = false;
        int end = offset + Math.Min(payloadLength + 40, ip.Length);
        byte next = ip[6];
        int position = offset + 40;
        for (int headers = 0; ; headers++)
        {
            if (headers == MaxExtensionHeaders) return DecodeStatus.Malformed;
            switch (next)
            {
                case 0:   // hop-by-hop options
                case 43:  // routing
                case 60:  // destination options
                    if (end < position + 8) return DecodeStatus.Truncated;
                    // Its length counts 8-byte units beyond the first 8. One that claims more than the packet holds leaves
                    // no transport header to read: a GRE header looked for past it was sliced beyond the frame's end.
                    int length = (frame[position + 1] + 1) * 8;
                    if (end < position + length) return DecodeStatus.Truncated;
                    next = frame[position];
                    position += length;
                    continue;
                case IpProtocol.Ipv6Fragment:
                    if (end < position + 8) return DecodeStatus.Truncated;
                    ushort field = BinaryPrimitives.ReadUInt16BigEndian(frame[(position + 2)..]);
                    packet.IsFragment = true;
                    packet.IsLaterFragment = (field & 0xFFF8) != 0;
                    packet.FragmentId = BinaryPrimitives.ReadUInt32BigEndian(frame[(position + 4)..]);
                    next = frame[position];
                    position += 8;
                    if (packet.IsLaterFragment)
                    {
                        packet.Protocol = next;
                        return LaterFragment(ref packet);
                    }
                    continue;
            }
            break;
        }
        packet.Protocol = next;
        return DecodeTransport(frame, position, end, ref packet);
    }

    private static DecodeStatus DecodeTransport(ReadOnlySpan<byte> frame, int offset, int end, ref DecodedPacket packet)
    {
        if (end > frame.Length) end = frame.Length;
        switch (packet.Protocol)
        {
            case IpProtocol.Tcp:
                return DecodeTcp(frame, offset, end, ref packet);
            case IpProtocol.Udp:
                return DecodeUdp(frame, offset, end, ref packet);
            case IpProtocol.Icmp:
            case IpProtocol.IcmpV6:
                return DecodeIcmp(frame, offset, end, ref packet);
            case IpProtocol.IpInIp:
            case IpProtocol.Ipv6InIp:
            case IpProtocol.Gre:
                return DecodeTunnel(frame, offset, end, ref packet);
            case IpProtocol.Ah:
                return DecodeAuthenticationHeader(frame, offset, end, ref packet);
            case IpProtocol.Sctp:
                return ReadPorts(frame, offset, end, ref packet);
            default:
                packet.PayloadOffset = offset;
                packet.PayloadLength = Math.Max(0, end - offset);
                return DecodeStatus.Ok;
        }
    }

    private static DecodeStatus ReadPorts(ReadOnlySpan<byte> frame, int offset, int end, ref DecodedPacket packet)
    {
        if (end < offset + 4) return DecodeStatus.Truncated;
        packet.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        packet.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
        packet.HasPorts = true;
        return DecodeStatus.Ok;
    }

    private static DecodeStatus DecodeTcp(ReadOnlySpan<byte> frame, int offset, int end, ref DecodedPacket packet)
    {
        var status = ReadPorts(frame, offset, end, ref packet);
        if (status != DecodeStatus.Ok) return status;
        // A snaplen may cut the header after the ports: the flow still counts the packet.
        if (end < offset + 20) return DecodeStatus.Ok;
        var tcp = frame[offset..];
        packet.Sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
        packet.Acknowledgment = BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]);
        packet.Flags = (TcpFlags)(tcp[13] & 0x3F);
        packet.UrgentPointer = BinaryPrimitives.ReadUInt16BigEndian(tcp[18..]);
        int headerLength = (tcp[12] >> 4) * 4;
        if (headerLength < 20) return DecodeStatus.Malformed;
        packet.PayloadOffset = Math.Min(offset + headerLength, end);
        packet.PayloadLength = end - packet.PayloadOffset;
        return DecodeStatus.Ok;
    }

    private static DecodeStatus DecodeUdp(ReadOnlySpan<byte> frame, int offset, int end, ref DecodedPacket packet)
    {
        var status = ReadPorts(frame, offset, end, ref packet);
        if (status != DecodeStatus.Ok || end < offset + 8) return status;
        int length = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 4)..]);
        packet.PayloadOffset = offset + 8;
        int declaredEnd = length >= 8 ? offset + length : end;
        packet.PayloadLength = Math.Min(end, declaredEnd) - packet.PayloadOffset;
        if (packet.PayloadLength < 0) packet.PayloadLength = 0;
        // A tunnel in UDP (VXLAN, Geneve, GTP-U, L2TP): the firewall passed UDP to its port, the conversations are inside it.
        int payloadEnd = packet.PayloadOffset + packet.PayloadLength;
        bool cut = declaredEnd > end;
        if (UdpTunnels.Of(frame[packet.PayloadOffset..payloadEnd], packet.SourcePort, packet.DestinationPort, cut) != UdpTunnel.None)
            return DecodeTunnel(frame, packet.PayloadOffset, payloadEnd, ref packet);
        return DecodeStatus.Ok;
    }

    private static DecodeStatus DecodeIcmp(ReadOnlySpan<byte> frame, int offset, int end, ref DecodedPacket packet)
    {
        if (end < offset + 4) return DecodeStatus.Truncated;
        packet.IcmpType = frame[offset];
        packet.IcmpCode = frame[offset + 1];
        packet.PayloadOffset = offset + 4;
        packet.PayloadLength = end - offset - 4;
        if (IcmpMessages.IsError(packet.Protocol, packet.IcmpType) && end >= offset + 8)
            ReadQuote(frame[(offset + 8)..end], ref packet.Quote);
        return DecodeStatus.Ok;
    }

    /// <summary>Reads the IP header and first transport bytes that an ICMP error quotes.</summary>
    private static void ReadQuote(ReadOnlySpan<byte> quoted, ref PacketEnds quote)
    {
        var inner = default(DecodedPacket);
        // The quote is a cut packet: what matters is that addresses and ports were read, whatever the status.
        DecodeIpByVersion(quoted, 0, ref inner);
        // A router that dropped a tunnel's packet quotes the outer packet: the error is about the tunnel, whose ends it
        // names, not about the flow inside, which neither sent it nor was refused.
        if (inner.Carrier.Present)
        {
            quote = inner.Carrier.Outer;
            return;
        }
        if (inner.IpVersion == 0) return;
        if (inner.Protocol is IpProtocol.Tcp or IpProtocol.Udp && !inner.HasPorts) return;
        quote = PacketEnds.Of(inner);
    }

    /// <summary>A later fragment carries no transport header; one of a tunnel's outer packet is still its carrier's.</summary>
    private static DecodeStatus LaterFragment(ref DecodedPacket packet)
    {
        if (packet.TunnelDepth == 0 && IsTunnel(packet.Protocol)) packet.Carrier = CarrierOf(packet);
        return DecodeStatus.Ok;
    }

    private static bool IsTunnel(byte protocol) => protocol is IpProtocol.IpInIp or IpProtocol.Ipv6InIp or IpProtocol.Gre;

    private static TunnelCarrier CarrierOf(in DecodedPacket outer) => new() { Outer = PacketEnds.Of(outer), IpBytes = outer.IpBytes };

    /// <summary>
    /// Opens the tunnel whose header starts at <paramref name="offset"/>: IP in IP, GRE, or VXLAN, Geneve, GTP-U and L2TP in UDP
    /// (<see cref="UdpTunnels.Of"/>). The innermost packet opened becomes <paramref name="packet"/>; one that cannot be opened
    /// stays the outer packet.
    /// </summary>
    private static DecodeStatus DecodeTunnel(ReadOnlySpan<byte> frame, int offset, int end, ref DecodedPacket packet)
    {
        Debug.Assert(IsTunnel(packet.Protocol) || packet.Protocol == IpProtocol.Udp);
        // A firewall judges the outermost packet, so that is the carrier: one tunnel opened inside another keeps it.
        if (packet.TunnelDepth == 0) packet.Carrier = CarrierOf(packet);
        if (packet.TunnelDepth < MaxTunnelDepth)
        {
            var inner = default(DecodedPacket);
            inner.TunnelDepth = (byte)(packet.TunnelDepth + 1);
            var status = DecodeStatus.NotIp;
            var payload = frame[..end];
            switch (packet.Protocol)
            {
                case IpProtocol.IpInIp:
                    status = DecodeIpv4(payload, offset, ref inner);
                    break;
                case IpProtocol.Ipv6InIp:
                    status = DecodeIpv6(payload, offset, ref inner);
                    break;
                case IpProtocol.Gre:
                    status = DecodeGre(payload, offset, ref inner);
                    break;
                case IpProtocol.Udp:
                    status = DecodeUdpTunnel(payload, offset, UdpTunnels.ByPort(packet.SourcePort, packet.DestinationPort), ref inner);
                    break;
            }
            if (status == DecodeStatus.Ok && !IsGreKeepalive(packet, inner))
            {
                inner.Carrier = packet.Carrier;
                packet = inner;
                return status;
            }
        }
        // Not a tunnel we can open, or its keepalive: the outer packet is the flow, keyed by its protocol. A datagram that
        // only its content would have shown to be a tunnel's was not one: it is a datagram of its own.
        if (packet.TunnelDepth == 0 && packet.Protocol == IpProtocol.Udp
            && !UdpTunnels.ProvenByHeader(UdpTunnels.ByPort(packet.SourcePort, packet.DestinationPort), frame[offset..end]))
            packet.Carrier = default;
        packet.PayloadOffset = offset;
        packet.PayloadLength = Math.Max(0, end - offset);
        return DecodeStatus.Ok;
    }

    // A GRE keepalive (Cisco's): a tunnel's end wraps a GRE packet addressed back to itself, which the far end takes out
    // and sends back. It is the tunnel's own upkeep, not a conversation inside it from the far end to the sender, which the
    // opened packet would have been judged as.
    private static bool IsGreKeepalive(in DecodedPacket outer, in DecodedPacket inner) =>
        outer.Protocol == IpProtocol.Gre && inner.Protocol == IpProtocol.Gre
        && inner.Source == outer.Destination && inner.Destination == outer.Source;

    private static DecodeStatus DecodeUdpTunnel(ReadOnlySpan<byte> frame, int offset, UdpTunnel tunnel, ref DecodedPacket inner)
    {
        if (!UdpTunnels.TryReadHeader(tunnel, frame[offset..], out int length, out ushort carries)) return DecodeStatus.Truncated;
        return carries switch
        {
            EtherTypes.TransparentBridging => DecodeEthernet(frame, offset + length, ref inner),
            UdpTunnels.IpOfItsVersion => DecodeIpByVersion(frame, offset + length, ref inner),
            EtherTypes.Ppp => DecodePpp(frame, offset + length, ref inner),
            _ => DecodeEtherType(carries, frame, offset + length, ref inner),
        };
    }

    private static DecodeStatus DecodeGre(ReadOnlySpan<byte> frame, int offset, ref DecodedPacket inner)
    {
        var status = GreTunnels.Read(frame[offset..], out int length, out ushort carries);
        if (status != DecodeStatus.Ok) return status;
        return carries switch
        {
            EtherTypes.TransparentBridging => DecodeEthernet(frame, offset + length, ref inner),
            EtherTypes.Ipv4 or EtherTypes.Ipv6 => DecodeEtherType(carries, frame, offset + length, ref inner),
            GreTunnels.TypeErspanIii => DecodeIpByVersion(frame, offset + length, ref inner),
            GreTunnels.TypePpp when frame.Length > offset + length => DecodePpp(frame, offset + length, ref inner),
            _ => DecodeStatus.NotIp,
        };
    }

    private static DecodeStatus DecodeAuthenticationHeader(ReadOnlySpan<byte> frame, int offset, int end, ref DecodedPacket packet)
    {
        // AH authenticates but does not hide: the transport inside is the real flow, as Wireshark shows it.
        if (end < offset + 8) return DecodeStatus.Ok;
        byte next = frame[offset];
        int length = (frame[offset + 1] + 2) * 4;
        if (next == IpProtocol.Ah || end < offset + length) return DecodeStatus.Ok;
        packet.Protocol = next;
        return DecodeTransport(frame, offset + length, end, ref packet);
    }
}
