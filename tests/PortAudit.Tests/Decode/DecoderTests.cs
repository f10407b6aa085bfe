using PortAudit.Common;
using PortAudit.Decode;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Decode;

[Trait(Tier.Name, Tier.Unit)]
public class DecoderTests
{
    [Fact]
    public void Ipv4OptionsAreSkipped()
    {
        var packet = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1234, 53), options: [1, 1, 1, 0]); // header of 24 bytes: one word of options (NOPs, end)
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, packet, out var p));
        Assert.Equal(53, p.DestinationPort);
    }

    [Theory]
    [InlineData(47)]   // GRE, whose header was looked for past the frame's end (the random tier's crash-draft-9b0dbf838acd)
    [InlineData(17)]
    [InlineData(59)]   // no next header: nothing is read behind it, but the packet still does not hold what it claims
    public void An_ipv6_extension_header_longer_than_the_packet_leaves_it_truncated(int next)
    {
        // A hop-by-hop header that claims 1,288 bytes in a packet of 8 bytes of payload, written by hand: a packet library
        // would read the protocol behind it.
        byte[] address = System.Net.IPAddress.Parse("2001:db8::1").GetAddressBytes();
        byte[] packet = [0x60, 0, 0, 0, 0, 8, 0, 64, .. address, .. address, (byte)next, 160, 1, 4, 0, 0, 0, 0];
        Assert.Equal(DecodeStatus.Truncated, PacketDecoder.Decode(101, packet, out _));
    }

    [Fact]
    public void Ipv6ExtensionHeadersAreWalked()
    {
        var hopByHop = new byte[] { 60, 0, 1, 4, 0, 0, 0, 0 };
        var destination = new byte[] { 6, 0, 1, 4, 0, 0, 0, 0 };
        var packet = Ipv6("2001:db8::1", "2001:db8::2", 0, Concat(hopByHop, destination, Tcp(5000, 5061, Syn)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, packet, out var p));
        Assert.Equal(IpProtocol.Tcp, p.Protocol);
        Assert.Equal(5061, p.DestinationPort);
        Assert.Equal(TcpFlags.Syn, p.Flags);
    }

    [Fact]
    public void Ipv6LaterFragmentHasNoPortsButTheIdentification()
    {
        var fragment = new byte[] { 17, 0, 0x05, 0xA8, 0x12, 0x34, 0x56, 0x78 }; // offset 181 words
        var packet = Ipv6("2001:db8::1", "2001:db8::2", 44, Concat(fragment, new byte[16]));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, packet, out var p));
        Assert.True(p.IsLaterFragment);
        Assert.False(p.HasPorts);
        Assert.Equal(0x12345678u, p.FragmentId);
        Assert.Equal(IpProtocol.Udp, p.Protocol);
    }

    [Theory]
    [InlineData("gre")]
    [InlineData("ipip")]
    [InlineData("6in4")]
    public void TunnelsAreOpenedToTheInnerFlow(string kind)
    {
        var inner4 = Ipv4("172.16.0.1", "172.16.0.2", 6, Tcp(1111, 389, Syn));
        var inner6 = Ipv6("2001:db8::a", "2001:db8::b", 6, Tcp(1111, 389, Syn));
        var outer = kind switch
        {
            "gre" => Ipv4("198.51.100.1", "198.51.100.2", 47, Gre(0x0800, inner4)),
            "ipip" => Ipv4("198.51.100.1", "198.51.100.2", 4, inner4),
            _ => Ipv4("198.51.100.1", "198.51.100.2", 41, inner6),
        };
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(1, Ethernet(outer), out var p));
        Assert.Equal(1, p.TunnelDepth);
        Assert.Equal(389, p.DestinationPort);
        Assert.Equal(kind == "6in4" ? "2001:db8::a" : "172.16.0.1", p.Source.ToString());
        // The outer packet, as a firewall between the tunnel's ends sees it.
        Assert.True(p.Carrier.Present);
        Assert.Equal(IpAddr.Parse("198.51.100.1"), p.Carrier.Outer.Source);
        Assert.Equal(IpAddr.Parse("198.51.100.2"), p.Carrier.Outer.Destination);
        Assert.Equal(outer[9], p.Carrier.Outer.Protocol);
        Assert.Equal(outer.Length, p.Carrier.IpBytes);
    }

    [Theory]
    [InlineData(50000, 4789, false)]
    [InlineData(4789, 50000, true)]
    [InlineData(4789, 4789, false)]
    public void Vxlan_on_its_port_is_opened_to_the_inner_flow(int sourcePort, int destinationPort, bool sentByServer)
    {
        var inner = Ethernet(Ipv4("10.10.20.4", "157.240.224.35", 6, Tcp(40000, 443, Syn)), 0x8100);
        var outer = Ipv4("192.168.22.4", "192.168.22.5", 17, Udp((ushort)sourcePort, (ushort)destinationPort, Vxlan(inner)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(1, Ethernet(outer), out var p));
        Assert.Equal(1, p.TunnelDepth);
        Assert.Equal(("10.10.20.4", "157.240.224.35", 443), (p.Source.ToString(), p.Destination.ToString(), (int)p.DestinationPort));
        // The outer datagram, ports included: what a firewall between the tunnel's ends passed as UDP.
        Assert.True(p.Carrier.Present);
        Assert.Equal((IpAddr.Parse("192.168.22.4"), IpAddr.Parse("192.168.22.5"), IpProtocol.Udp), (p.Carrier.Outer.Source, p.Carrier.Outer.Destination, p.Carrier.Outer.Protocol));
        Assert.Equal((sourcePort, destinationPort), ((int)p.Carrier.Outer.SourcePort, (int)p.Carrier.Outer.DestinationPort));
        Assert.Equal(sentByServer, p.Carrier.SentByServer);
        Assert.Equal(outer.Length, p.Carrier.IpBytes);
    }

    [Theory]
    [InlineData(0x6558, 0)]   // an Ethernet frame, as AWS's Gateway Load Balancer and OVN send
    [InlineData(0x6558, 2)]   // behind two words of options
    [InlineData(0x0800, 1)]   // an IPv4 packet
    public void Geneve_on_its_port_is_opened_to_the_inner_flow(int type, int optionWords)
    {
        var ip = Ipv4("10.1.0.7", "10.2.0.9", 6, Tcp(40000, 445, Syn));
        var inner = type == 0x6558 ? Ethernet(ip) : ip;
        var outer = Ipv4("192.0.2.10", "192.0.2.20", 17, Udp(51000, 6081, Geneve((ushort)type, inner, optionWords)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((1, "10.1.0.7", 445), ((int)p.TunnelDepth, p.Source.ToString(), (int)p.DestinationPort));
        Assert.Equal((IpProtocol.Udp, 51000, 6081, false), (p.Carrier.Outer.Protocol, (int)p.Carrier.Outer.SourcePort, (int)p.Carrier.Outer.DestinationPort, p.Carrier.SentByServer));
        Assert.Equal(outer.Length, p.Carrier.IpBytes);
    }

    [Theory]
    [InlineData(1, 0x6558)]   // a version this decoder does not know
    [InlineData(0, 0x88CC)]   // LLDP: nothing the decoder reads
    public void Geneve_it_cannot_read_stays_a_udp_flow(int version, int type)
    {
        var outer = Ipv4("192.0.2.10", "192.0.2.20", 17, Udp(51000, 6081, Geneve((ushort)type, Ethernet(Ipv4("10.1.0.7", "10.2.0.9", 6, Tcp(1, 2, Syn))), version: version)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((0, IpProtocol.Udp, false), ((int)p.TunnelDepth, p.Protocol, p.Carrier.Present));
    }

    [Theory]
    [InlineData(0x30, 0)]   // the mandatory 8 bytes alone, as most of base.pcap's G-PDUs
    [InlineData(0x32, 0)]   // with a sequence number: the optional 4 bytes
    [InlineData(0x30, 1)]   // a 5G PDU session container: the optional bytes name it, its length byte says where it ends
    [InlineData(0x30, 2)]   // two extension headers, chained
    public void GtpU_on_its_port_is_opened_to_the_users_packet(int flags, int extensions)
    {
        var user = Ipv4("10.45.0.7", "93.184.216.34", 6, Tcp(40000, 443, Syn));
        // A word each for the first (type and QFI), two for the second.
        byte[][] containers = [[0x10, 9], [0x10, 10, 0, 0, 0]];
        var outer = Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(2152, 2152, GtpU(user, (byte)flags, extensions: containers[..extensions])));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((1, "10.45.0.7", "93.184.216.34", 443), ((int)p.TunnelDepth, p.Source.ToString(), p.Destination.ToString(), (int)p.DestinationPort));
        // The datagram between the base station and its gateway, 2152 at both ends: neither end is the tunnel's server.
        Assert.Equal((IpProtocol.Udp, 2152, 2152, false), (p.Carrier.Outer.Protocol, (int)p.Carrier.Outer.SourcePort, (int)p.Carrier.Outer.DestinationPort, p.Carrier.SentByServer));
        Assert.Equal(outer.Length, p.Carrier.IpBytes);
    }

    [Fact]
    public void GtpU_carrying_ipv6_is_opened_by_the_packets_own_version()
    {
        var user = Ipv6("2001:db8:45::7", "2001:db8:1::53", 17, Udp(53000, 53));
        var outer = Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(2152, 2152, GtpU(user, 0x32)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((1, 6, "2001:db8:1::53", 53), ((int)p.TunnelDepth, (int)p.IpVersion, p.Destination.ToString(), (int)p.DestinationPort));
    }

    [Theory]
    [InlineData(0x30, 0x01)]   // an echo request: the tunnel's upkeep carries no packet
    [InlineData(0x30, 0x1A)]   // an error indication
    [InlineData(0x20, 0xFF)]   // protocol type 0: GTP' (charging records), not GTP
    [InlineData(0x50, 0xFF)]   // version 2 is GTP-C's, never on the user plane's port
    [InlineData(0x38, 0xFF)]   // the spare bit set: not a header GTP-U writes
    public void GtpU_messages_that_carry_no_packet_stay_a_udp_flow(int flags, int type)
    {
        var outer = Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(2152, 2152, GtpU(Ipv4("10.45.0.7", "10.2.0.9", 6, Tcp(1, 2, Syn)), (byte)flags, (byte)type)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((0, IpProtocol.Udp, false), ((int)p.TunnelDepth, p.Protocol, p.Carrier.Present));
    }

    [Theory]
    [InlineData(0x0100)]   // a DNS query from port 2152 whose id reads as a G-PDU's first bytes: its flags are no length
    [InlineData(28)]       // a G-PDU's header whose length is 4 bytes short of the 32 that follow it
    [InlineData(36)]       // and 4 bytes over, in a datagram the capture kept whole
    public void A_datagram_on_2152_whose_length_field_is_not_its_rest_stays_a_udp_flow(int length)
    {
        byte[] payload = [0x30, 0xFF, (byte)(length >> 8), (byte)length, 0, 1, 0, 0, .. Ipv4("10.45.0.7", "10.2.0.9", 17, Udp(1, 53))];
        var outer = Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(2152, 53, payload));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((0, IpProtocol.Udp, false), ((int)p.TunnelDepth, p.Protocol, p.Carrier.Present));
    }

    [Fact]
    public void A_gpdu_the_capture_cut_short_is_still_opened()
    {
        // The snapshot length kept 10 bytes less than the datagram: the G-PDU's length counts what was not kept.
        var user = Ipv4("10.45.0.7", "10.2.0.9", 17, Udp(53000, 53, new byte[20]));
        var outer = Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(2152, 2152, GtpU(user)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer.AsSpan(0, outer.Length - 10), out var p));
        Assert.Equal((1, "10.2.0.9", 53), ((int)p.TunnelDepth, p.Destination.ToString(), (int)p.DestinationPort));
    }

    [Theory]
    [InlineData(new byte[] { 0x34, 0xFF, 0, 8, 0, 0, 0x12, 0x34, 0, 0, 0, 0x85, 0, 0, 0, 0 })]   // an extension header of length 0
    [InlineData(new byte[] { 0x34, 0xFF, 0, 6, 0, 0, 0x12, 0x34, 0, 0, 0, 0x85, 2, 0 })]         // one cut by the datagram's end
    [InlineData(new byte[] { 0x32, 0xFF, 0, 4, 0, 0, 0x12, 0x34, 0, 7, 0, 0 })]                   // a header and no packet
    [InlineData(new byte[] { 0x30, 0xFF, 0, 4, 0, 0, 0x12, 0x34, 0x00, 0x01, 0x02, 0x03 })]       // a payload that is not IP
    public void GtpU_it_cannot_open_is_its_carriers_alone(byte[] gtp)
    {
        var outer = Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(2152, 2152, gtp));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((0, IpProtocol.Udp, 2152), ((int)p.TunnelDepth, p.Protocol, (int)p.DestinationPort));
        Assert.True(p.Carrier.Present);
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0xFF, 0, 4, 0, 0, 0x12, 0x34, 0x45, 0, 0, 0 }, true, false, true, 8)]            // a G-PDU, no optional fields
    [InlineData(new byte[] { 0x32, 0x01, 0, 4, 0, 0, 0, 0, 0x12, 0x34, 0, 0 }, true, true, true, 12)]              // an echo with its sequence number
    [InlineData(new byte[] { 0x34, 0xFF, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0x10, 9, 0 }, true, false, true, 16)] // a PDU session container
    [InlineData(new byte[] { 0x32, 0x01, 0, 2, 0, 0, 0, 0, 0x12, 0x34 }, true, true, false, 12)]                    // a length short of its optional fields
    [InlineData(new byte[] { 0x20, 0xFF, 0, 0, 0, 0, 0, 0 }, false, false, true, 8)]                                // GTP' (protocol type 0)
    public void A_gtp_v1_header_is_read_by_its_flags(byte[] message, bool gtp, bool sequence, bool holdsOptional, int payloadAt)
    {
        Assert.True(GtpV1Header.TryRead(message, out var header));
        Assert.Equal((gtp, sequence, holdsOptional), (header.IsGtp, header.HasSequence, header.LengthHoldsOptional));
        Assert.Equal(GtpV1Header.MandatoryLength + (message[2] << 8 | message[3]), header.MessageLength);
        GtpV1Header.TryReadPayloadOffset(message, out int offset);
        Assert.Equal(payloadAt, offset);
    }

    [Theory]
    [InlineData(new byte[] { 0x48, 0x20, 0, 4, 0, 0, 0, 1 })]   // version 2: GTP-C's
    [InlineData(new byte[] { 0x30, 0xFF, 0, 0, 0, 0, 0 })]      // 7 bytes: the mandatory header cut
    public void What_is_not_a_whole_gtp_v1_header_is_not_read(byte[] message) => Assert.False(GtpV1Header.TryRead(message, out _));

    [Fact]
    public void Vxlan_carrying_no_ip_is_its_carriers_alone()
    {
        var arp = EthernetOf(PacketDotNet.EthernetType.Arp, new byte[28]);
        var outer = Ipv4("192.168.56.12", "192.168.56.11", 17, Udp(38071, 4789, Vxlan(arp)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((0, IpProtocol.Udp, 4789), ((int)p.TunnelDepth, p.Protocol, (int)p.DestinationPort));
        Assert.True(p.Carrier.Present);
        Assert.Equal(38071, p.Carrier.Outer.SourcePort);
    }

    [Theory]
    [InlineData(4789, 0x00)]   // no valid VNI: not VXLAN's header
    [InlineData(4790, 0x08)]   // another port
    public void Udp_that_is_not_vxlan_stays_a_udp_flow(int port, byte flags)
    {
        var inner = Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, Syn)));
        var outer = Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(50000, (ushort)port, Vxlan(inner, flags: flags)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((0, IpProtocol.Udp, port), ((int)p.TunnelDepth, p.Protocol, (int)p.DestinationPort));
        Assert.False(p.Carrier.Present);
    }

    // A client whose port happened to be 4789 (a resolver's or a NAT's pick): half of all DNS messages carry VXLAN's flag in
    // their first byte (the transaction id's), and every syslog line does ('<'). Neither is a tunnel's, nor are the
    // conversations reversed to make the client a VXLAN end.
    [Theory]
    [InlineData(4789, 53, "query")]
    [InlineData(53, 4789, "answer")]
    [InlineData(4789, 514, "syslog")]
    public void Another_protocols_datagram_on_vxlans_port_with_its_flag_bit_set_stays_a_udp_flow(int sourcePort, int destinationPort, string message)
    {
        var query = DnsQuery("example.com", id: 0x0812);
        var payload = message switch
        {
            "query" => query,
            "answer" => DnsAnswer(query),
            _ => System.Text.Encoding.ASCII.GetBytes("<134>Nov 30 06:00:00 host app: hello"),
        };
        var datagram = Ipv4("10.0.0.5", "10.0.0.53", 17, Udp((ushort)sourcePort, (ushort)destinationPort, payload));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, datagram, out var p));
        Assert.Equal((0, IpProtocol.Udp, sourcePort, destinationPort), ((int)p.TunnelDepth, p.Protocol, (int)p.SourcePort, (int)p.DestinationPort));
        Assert.False(p.Carrier.Present);
    }

    // VXLAN's flag is one bit: a header is proof by itself only as RFC 7348 sends it, or as its group policy extension
    // (Linux, Open vSwitch) does, with the G flag, the D and A bits and a group id; with any other bit set (here one of
    // the first reserved byte's, or the last byte) it is the tunnel's only where its frame opens to IP.
    [Theory]
    [InlineData(0x08, 0x00, 0x00, 0, true)]    // RFC 7348
    [InlineData(0x88, 0x48, 0x12, 0, true)]    // group policy: G and I, D and A, group 0x12..
    [InlineData(0x88, 0x01, 0x12, 0, false)]   // a bit the extension does not set
    [InlineData(0x08, 0x00, 0x12, 0, false)]   // a group id without the G flag
    [InlineData(0x08, 0x00, 0x00, 1, false)]   // the last reserved byte
    public void A_vxlan_header_proves_the_tunnel_by_itself_only_as_it_is_sent(byte flags, byte second, byte group, byte last, bool proven)
    {
        byte[] Datagram(byte[] frame)
        {
            var header = Vxlan(frame);
            (header[0], header[1], header[2], header[7]) = (flags, second, group, last);
            return Ipv4("192.0.2.1", "192.0.2.2", 17, Udp(50000, 4789, header));
        }
        var ip = Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 445, Syn)));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, Datagram(ip), out var opened));
        Assert.Equal((1, 445, true), ((int)opened.TunnelDepth, (int)opened.DestinationPort, opened.Carrier.Present));

        var arp = EthernetOf(PacketDotNet.EthernetType.Arp, new byte[28]);
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, Datagram(arp), out var datagram));
        Assert.Equal((0, 4789, proven), ((int)datagram.TunnelDepth, (int)datagram.DestinationPort, datagram.Carrier.Present));
    }

    [Fact]
    public void A_packet_outside_any_tunnel_has_no_carrier()
    {
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(1, Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 2))), out var p));
        Assert.False(p.Carrier.Present);
    }

    // A switch's mirror session (Cisco ERSPAN) sends copies of frames in GRE: the copied conversation is the flow, the GRE
    // stream from the switch to the analyser its carrier.
    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, false, false)]
    [InlineData(3, false, false)]
    [InlineData(3, false, true)]
    [InlineData(3, true, false)]
    public void A_mirror_sessions_frames_are_opened_to_the_conversation_they_copy(int type, bool ip, bool platform)
    {
        var mirrored = Ipv4("172.16.0.1", "172.16.0.2", 6, Tcp(1111, 389, Syn));
        var outer = Ipv4("198.51.100.1", "198.51.100.2", 47, Erspan(type, ip ? mirrored : Ethernet(mirrored), ip, platform));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(1, Ethernet(outer), out var p));
        Assert.Equal((1, "172.16.0.1", (ushort)389), (p.TunnelDepth, p.Source.ToString(), p.DestinationPort));
        Assert.Equal((IpAddr.Parse("198.51.100.1"), IpProtocol.Gre, outer.Length),
            (p.Carrier.Outer.Source, p.Carrier.Outer.Protocol, p.Carrier.IpBytes));
    }

    // A header of another version, or cut short, is not opened: the GRE packet is the flow, and its own carrier.
    [Theory]
    [InlineData(2, 3, 0)]
    [InlineData(3, 1, 0)]
    [InlineData(2, null, 4)]
    [InlineData(3, null, 6)]
    public void A_mirror_session_header_the_decoder_does_not_know_leaves_the_gre_flow(int type, int? version, int cutTo)
    {
        var mirrored = Ethernet(Ipv4("172.16.0.1", "172.16.0.2", 6, Tcp(1111, 389, Syn)));
        var gre = Erspan(type, mirrored, version: version);
        if (cutTo > 0) gre = gre[..(8 + cutTo)];
        var outer = Ipv4("198.51.100.1", "198.51.100.2", 47, gre);
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal((IpProtocol.Gre, 0, "198.51.100.1"), (p.Protocol, (int)p.TunnelDepth, p.Source.ToString()));
        Assert.Equal(outer.Length, p.Carrier.IpBytes);
    }

    [Fact]
    public void GreWithUnknownPayloadIsAGreFlow()
    {
        var outer = Ipv4("198.51.100.1", "198.51.100.2", 47, Gre(0x88B5, new byte[20]));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        Assert.Equal(IpProtocol.Gre, p.Protocol);
        Assert.Equal(0, p.TunnelDepth);
        // Not opened: the packet is its own carrier.
        Assert.True(p.Carrier.Present);
        Assert.Equal(p.Source, p.Carrier.Outer.Source);
        Assert.Equal(IpProtocol.Gre, p.Carrier.Outer.Protocol);
        Assert.Equal(outer.Length, p.Carrier.IpBytes);
    }

    [Fact]
    public void A_gre_keepalive_is_its_tunnels_own_packet_not_one_from_the_far_end_inside_it()
    {
        // Cisco's keepalive: 198.51.100.1 wraps a GRE packet from the far end back to itself, which the far end returns.
        var keepalive = Ipv4("198.51.100.1", "198.51.100.2", 47, Gre(0x0800, Ipv4("198.51.100.2", "198.51.100.1", 47, Gre(0, []))));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, keepalive, out var p));
        Assert.Equal((IpProtocol.Gre, 0, "198.51.100.1"), (p.Protocol, (int)p.TunnelDepth, p.Source.ToString()));
        Assert.True(p.Carrier.Present);
        // A GRE packet inside that goes elsewhere is a tunnel in the tunnel, opened as such.
        var nested = Ipv4("198.51.100.1", "198.51.100.2", 47, Gre(0x0800, Ipv4("198.51.100.2", "192.0.2.9", 47, Gre(0, []))));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, nested, out var q));
        Assert.Equal((1, "192.0.2.9"), ((int)q.TunnelDepth, q.Destination.ToString()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_later_fragment_of_a_tunnel_packet_is_its_carriers(bool v6)
    {
        var fragment = new byte[] { 47, 0, 0x05, 0xA8, 0x12, 0x34, 0x56, 0x78 };
        var packet = v6
            ? Ipv6("2001:db8::1", "2001:db8::2", 44, Concat(fragment, new byte[16]))
            : Ipv4("198.51.100.1", "198.51.100.2", 47, new byte[16], fragmentField: 181);
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, packet, out var p));
        Assert.True(p.IsLaterFragment);
        Assert.True(p.Carrier.Present);
        Assert.Equal(IpProtocol.Gre, p.Carrier.Outer.Protocol);
        Assert.Equal(packet.Length, p.Carrier.IpBytes);
    }

    [Fact]
    public void NestedTunnelsStopAtTheDepthLimit()
    {
        var packet = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 2));
        for (int i = 0; i < 10; i++) packet = Ipv4("10.9.9.1", "10.9.9.2", 4, packet);
        packet = Ipv4("192.0.2.1", "192.0.2.2", 4, packet);
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, packet, out var p));
        Assert.Equal(IpProtocol.IpInIp, p.Protocol);
        // However deep the decoder went, the carrier is the outermost packet: the one a firewall judged.
        Assert.Equal(IpAddr.Parse("192.0.2.1"), p.Carrier.Outer.Source);
        Assert.Equal(packet.Length, p.Carrier.IpBytes);
    }

    [Fact]
    public void IcmpUnreachableQuotesTheRefusedPacket()
    {
        var refused = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(40000, 161));
        var icmp = Ipv4("10.0.0.2", "10.0.0.1", 1, Unreachable(false, 3, refused[..28]));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, icmp, out var p));
        Assert.True(p.Quote.Present);
        Assert.Equal("10.0.0.1", p.Quote.Source.ToString());
        Assert.Equal(161, p.Quote.DestinationPort);
        Assert.Equal(IpProtocol.Udp, p.Quote.Protocol);
    }

    [Fact]
    public void RandomAndMutatedFramesNeverThrow()
    {
        var rng = new Random(20261121);
        var seeds = LinkTypeTests.Frames().Select(row => ((int)row[1], (byte[])row[2])).ToList();
        seeds.Add((1, Ethernet(Ipv4("198.51.100.1", "198.51.100.2", 47, Gre(0x0800, Ipv4("1.1.1.1", "2.2.2.2", 1,
            Unreachable(false, 3, Ipv4("2.2.2.2", "1.1.1.1", 6, Tcp(1, 2, Syn)))))))));
        // VXLAN holding a tagged frame, whose inner Ethernet, tag and IP headers the mutations cut and bend.
        seeds.Add((1, Ethernet(Ipv4("198.51.100.1", "198.51.100.2", 17, Udp(50000, 4789,
            Vxlan(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 53)), 0x8100)))))));
        seeds.Add((101, Ipv4("198.51.100.1", "198.51.100.2", 17, Udp(50000, 6081, Geneve(0x6558, Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 53))), 1)))));
        seeds.Add((101, Ipv4("198.51.100.1", "198.51.100.2", 17, Udp(2152, 2152, GtpU(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 53)), 0x32, extensions: [[0x10, 9]])))));
        seeds.Add((101, Ipv4("198.51.100.1", "198.51.100.2", 17, Udp(1701, 1701, L2tpData(Ppp(0x0021, Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 53))), true, true, 2)))));
        int ok = 0;
        for (int i = 0; i < 200_000; i++)
        {
            var (link, seed) = seeds[rng.Next(seeds.Count)];
            var frame = (byte[])seed.Clone();
            int mutations = rng.Next(1, 6);
            for (int m = 0; m < mutations; m++) frame[rng.Next(frame.Length)] = (byte)rng.Next(256);
            int length = rng.Next(3) == 0 ? rng.Next(frame.Length + 1) : frame.Length;
            if (PacketDecoder.Decode(link, frame.AsSpan(0, length), out _) == DecodeStatus.Ok) ok++;
        }
        Assert.InRange(ok, 1, 200_000);
    }

    // TryPeekTcpHosts places a packet in a split run without decoding it: wherever it answers and the packet decodes, it
    // must give the decoded packet's addresses, or a shard would keep another's packets.
    [Fact]
    public void A_tcp_packet_over_ipv4_in_ethernet_is_peeked_at_its_addresses()
    {
        var frame = Ethernet(Ipv4("10.1.2.3", "192.0.2.7", IpProtocol.Tcp, Tcp(50000, 445, Syn)));
        Assert.True(PacketDecoder.TryPeekTcpHosts((int)LinkType.Ethernet, frame, out var source, out var destination));
        Assert.Equal(IpAddr.Parse("10.1.2.3"), source);
        Assert.Equal(IpAddr.Parse("192.0.2.7"), destination);
    }

    [Fact]
    public void Tags_tunnels_udp_icmp_and_other_links_are_left_to_the_decoder()
    {
        var tcp = Ipv4("10.1.2.3", "192.0.2.7", IpProtocol.Tcp, Tcp(50000, 445, Syn));
        byte[][] frames =
        [
            Ethernet(tcp, 0x8100),
            Ethernet(Ipv4("198.51.100.1", "198.51.100.2", IpProtocol.Gre, Gre(0x0800, tcp))),
            Ethernet(Ipv4("10.1.2.3", "192.0.2.7", IpProtocol.Udp, Udp(5000, 53))),
            Ethernet(Ipv4("192.0.2.7", "10.1.2.3", IpProtocol.Icmp, Unreachable(v6: false, 3, tcp))),
            Ethernet(Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.Tcp, Tcp(50000, 445, Syn))),
            Ethernet(tcp)[..30],
        ];
        foreach (var frame in frames) Assert.False(PacketDecoder.TryPeekTcpHosts((int)LinkType.Ethernet, frame, out _, out _));
        Assert.False(PacketDecoder.TryPeekTcpHosts((int)LinkType.Raw, tcp, out _, out _));
    }

    [SharedDataFact("captures")]
    public void Every_packet_peeked_in_the_shared_captures_decodes_to_the_same_hosts()
    {
        int peeked = 0;
        var captures = Directory.EnumerateFiles(SharedData.Path("captures")!)
            .Where(path => path.EndsWith(".pcap", StringComparison.Ordinal) || path.EndsWith(".pcapng", StringComparison.Ordinal))
            .Append(SharedData.Path("bench/base.pcap")!).Where(File.Exists);
        foreach (var path in captures)
        {
            using var reader = PortAudit.Sources.Files.CaptureFile.Open(path);
            try
            {
                while (reader.TryRead(out var record))
                {
                    if (!PacketDecoder.TryPeekTcpHosts(record.LinkType, record.Data, out var source, out var destination)) continue;
                    peeked++;
                    if (PacketDecoder.Decode(record.LinkType, record.Data, out var packet) != DecodeStatus.Ok) continue;
                    Assert.False(packet.Quote.Present, path);
                    Assert.True(packet.Source == source && packet.Destination == destination,
                        $"{path}, frame at byte {record.FileOffset}: peeked {source} > {destination}, decoded {packet.Source} > {packet.Destination}");
                }
            }
            catch (PortAudit.Sources.Files.CaptureFormatException)
            {
                // A damaged capture's records before the damage were checked.
            }
        }
        Assert.True(peeked > 1_000, $"only {peeked} packets peeked");
    }
}
