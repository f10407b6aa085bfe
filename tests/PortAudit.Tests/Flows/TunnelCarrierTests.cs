using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Flows;

/// <summary>
/// A tunnel (GRE, IP-in-IP, 6in4, VXLAN, L2TP) is a flow of its own between its ends, beside the flows it carries: the
/// conversation a firewall between the ends passes or blocks.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TunnelCarrierTests
{
    private const string A = "198.51.100.1", B = "203.0.113.9";
    private const string InnerClient = "2001:db8::a", InnerServer = "2001:db8::b";

    private static byte[] SixInFour(string from, string to, string innerFrom, string innerTo, ushort fromPort, ushort toPort, byte flags) =>
        Ipv4(from, to, IpProtocol.Ipv6InIp, Ipv6(innerFrom, innerTo, IpProtocol.Tcp, Tcp(fromPort, toPort, flags)));

    private static FlowRunner Run(FlowTableOptions? options, params byte[][] packets) => FlowRunner.RunIp(options, packets);

    [Fact]
    public void A_tunnel_is_one_flow_between_its_ends_beside_the_flow_it_carries()
    {
        byte[][] packets =
        [
            SixInFour(A, B, InnerClient, InnerServer, 50000, 443, Syn),
            SixInFour(B, A, InnerServer, InnerClient, 443, 50000, Syn | Ack),
            SixInFour(A, B, InnerClient, InnerServer, 50000, 443, Ack),
            Ip("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(40000, 53)),
        ];
        var flows = Run(null, packets).Flows;

        Assert.Equal(3, flows.Count);
        var inner = Assert.Single(flows, f => f.Protocol == IpProtocol.Tcp);
        Assert.Equal((IpAddr.Parse(InnerClient), 3L), (inner.Client, inner.PacketsToServer + inner.PacketsToClient));
        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Ipv6InIp);
        Assert.Equal((IpAddr.Parse(A), (ushort)0, IpAddr.Parse(B), (ushort)0), (carrier.Client, carrier.ClientPort, carrier.Server, carrier.ServerPort));
        Assert.Equal((2L, (long)packets[0].Length + packets[2].Length), (carrier.PacketsToServer, carrier.BytesToServer));
        Assert.Equal((1L, (long)packets[1].Length), (carrier.PacketsToClient, carrier.BytesToClient));
        Assert.Equal(FlowState.Established, carrier.State);
        Assert.Equal(1, carrier.FirstFrame);
        Assert.Equal(inner.StartNs, carrier.StartNs);
        Assert.Equal(inner.EndNs, carrier.EndNs);
        // The first packet opened the inner flow and took its ordinal for an id: the carrier's follows every packet's.
        Assert.Equal(1, inner.Id);
        Assert.Equal(packets.Length + 1, carrier.Id);
        Assert.Same(carrier, flows[^1]);
    }

    [Fact]
    public void Gre_packets_the_decoder_cannot_open_count_in_the_same_carrier_and_make_no_flow_of_their_own()
    {
        var opened = Ipv4(A, B, IpProtocol.Gre, Gre(0x0800, Ipv4("172.16.0.1", "172.16.0.2", IpProtocol.Udp, Udp(5060, 5060))));
        var unknown = Ipv4(B, A, IpProtocol.Gre, Gre(0x880B, new byte[24]));
        var flows = Run(null, opened, unknown, opened).Flows;

        Assert.Equal(2, flows.Count);
        Assert.Single(flows, f => f.Protocol == IpProtocol.Udp);
        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Gre);
        Assert.Equal((2L, 1L), (carrier.PacketsToServer, carrier.PacketsToClient));
        Assert.Equal((long)unknown.Length, carrier.BytesToClient);
        Assert.Equal(IpAddr.Parse(A), carrier.Client);
    }

    [Fact]
    public void Gre_keepalives_count_in_their_tunnel_and_make_no_flow_from_the_far_end()
    {
        // A wraps a GRE packet from B back to itself; B takes it out and sends it back. Both are the tunnel's own upkeep:
        // judged inside the tunnel, the wrapped one would be GRE from B to A that nothing sent on its own.
        var keepalive = Ipv4(A, B, IpProtocol.Gre, Gre(0x0800, Ipv4(B, A, IpProtocol.Gre, Gre(0, []))));
        var returned = Ipv4(B, A, IpProtocol.Gre, Gre(0, []));
        var flows = Run(null, keepalive, returned, keepalive, returned).Flows;

        var carrier = Assert.Single(flows);
        Assert.Equal((IpProtocol.Gre, IpAddr.Parse(A), FlowState.Established), (carrier.Protocol, carrier.Client, carrier.State));
        Assert.Equal((2L, 2L * keepalive.Length, 2L, 2L * returned.Length),
            (carrier.PacketsToServer, carrier.BytesToServer, carrier.PacketsToClient, carrier.BytesToClient));
    }

    [Fact]
    public void Each_pair_of_ends_and_protocol_is_its_own_carrier_in_the_order_they_began()
    {
        var inner = Ipv4("172.16.0.1", "172.16.0.2", IpProtocol.Udp, Udp(1000, 2000));
        var flows = Run(null,
            Ipv4(B, A, IpProtocol.IpInIp, inner),
            Ipv4(A, B, IpProtocol.Gre, Gre(0x0800, inner)),
            Ipv4(A, "192.0.2.7", IpProtocol.IpInIp, inner),
            Ipv4(A, B, IpProtocol.IpInIp, inner)).Flows;

        var carriers = flows.Where(f => f.Protocol is IpProtocol.IpInIp or IpProtocol.Gre).ToList();
        Assert.Equal(["ipip " + B, "gre " + A, "ipip " + A], carriers.Select(f => f.Transport + " " + f.Client));
        // Both directions between B and A are one carrier, whose client sent its first packet.
        Assert.Equal([(1L, 1L), (1L, 0L), (1L, 0L)], carriers.Select(f => (f.PacketsToServer, f.PacketsToClient)));
        Assert.Equal([5L, 6L, 7L], carriers.Select(f => f.Id));
    }

    [Fact]
    public void A_vxlan_tunnel_is_a_udp_flow_to_its_port_named_vxlan_whichever_end_spoke_first()
    {
        static byte[] Datagram(string from, string to, ushort fromPort, ushort toPort, byte[] frame) =>
            Ipv4(from, to, IpProtocol.Udp, Udp(fromPort, toPort, Vxlan(frame, vni: 1)));
        var ping = Ethernet(Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Icmp, [8, 0, 0, 0, 0, 1, 0, 1]));
        var arp = EthernetOf(PacketDotNet.EthernetType.Arp, new byte[28]);
        // The endpoint on 4789 answers first, from its port: it is the server all the same.
        var flows = Run(null, Datagram(B, A, 4789, 38071, arp), Datagram(A, B, 38071, 4789, ping), Datagram(A, B, 38071, 4789, ping)).Flows;

        Assert.Equal(2, flows.Count);
        var inner = Assert.Single(flows, f => f.Protocol == IpProtocol.Icmp);
        Assert.Equal(2L, inner.PacketsToServer);
        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Udp);
        // The flow inside names its tunnel by the tunnel's own Community ID, and by its outer ends in words.
        Assert.Equal(CommunityId.Of(carrier), inner.Tunnel!.Id);
        Assert.Equal($"vxlan {A}:38071 → {B}:4789", inner.Tunnel.ToString());
        Assert.Null(carrier.Tunnel);
        Assert.Equal((IpAddr.Parse(A), (ushort)38071, IpAddr.Parse(B), (ushort)4789), (carrier.Client, carrier.ClientPort, carrier.Server, carrier.ServerPort));
        Assert.Equal((2L, 1L), (carrier.PacketsToServer, carrier.PacketsToClient));
        Assert.Equal(("vxlan", FlowEvidence.Inspected), (carrier.App?.Name, carrier.Evidence));
        Assert.Equal(4, carrier.Id);
    }

    [Fact]
    public void A_dns_exchange_of_a_client_whose_port_was_4789_is_its_own_udp_flow_not_a_vxlan_tunnel()
    {
        // The transaction id 0x0812 puts VXLAN's flag in both messages' first byte; the rest of neither is VXLAN's header.
        var query = DnsQuery("example.com", id: 0x0812);
        var flows = Run(null, Ipv4(A, B, IpProtocol.Udp, Udp(4789, 53, query)), Ipv4(B, A, IpProtocol.Udp, Udp(53, 4789, DnsAnswer(query)))).Flows;

        var flow = Assert.Single(flows);
        Assert.Equal((IpAddr.Parse(A), (ushort)4789, IpAddr.Parse(B), (ushort)53), (flow.Client, flow.ClientPort, flow.Server, flow.ServerPort));
        Assert.Equal((1L, 1L, FlowState.Established), (flow.PacketsToServer, flow.PacketsToClient, flow.State));
        Assert.Null(flow.App);
        Assert.Null(flow.Tunnel);
    }

    [Fact]
    public void Tunnel_ends_past_the_flow_limit_are_counted_as_untracked_while_their_flows_are_kept()
    {
        var inner = Ipv4("172.16.0.1", "172.16.0.2", IpProtocol.Udp, Udp(1000, 2000));
        var runner = Run(new FlowTableOptions { MaxFlows = 2 },
            Ipv4("192.0.2.1", A, IpProtocol.IpInIp, inner),
            Ipv4("192.0.2.2", A, IpProtocol.IpInIp, inner),
            Ipv4("192.0.2.3", A, IpProtocol.IpInIp, inner),
            Ipv4("192.0.2.3", A, IpProtocol.IpInIp, inner),
            Ipv4("192.0.2.1", A, IpProtocol.IpInIp, inner));

        Assert.Equal(["192.0.2.1", "192.0.2.2"], runner.Flows.Where(f => f.Protocol == IpProtocol.IpInIp).Select(f => f.Client.ToString()));
        Assert.Equal(2, runner.Table.Statistics.TunnelPacketsUntracked);
        Assert.Equal(5, runner.Flows.Where(f => f.Protocol == IpProtocol.Udp).Sum(f => f.PacketsToServer + f.PacketsToClient));
    }

    // L2TP's data messages on 1701 (RFC 2661 3.1): one whose PPP frame carries an IP packet is a tunnel the decoder opens
    // to that packet, behind whichever of the length, sequence and offset fields its flags bring; anything else on the port
    // is a datagram of its own, as it was before L2TP was opened.
    [Theory]
    [InlineData(false, false, -1, true, false)]   // the flags, the ids and the frame: Windows' and Linux's usual data message
    [InlineData(true, false, -1, true, false)]    // with the length
    [InlineData(false, true, -1, true, false)]    // with Ns and Nr
    [InlineData(false, false, 0, true, false)]    // with an offset size of 0, as pn-l2tp.pcap's
    [InlineData(true, true, 3, false, true)]      // all three, a pad of 3, no HDLC bytes and a compressed protocol field
    public void A_data_message_carrying_ip_is_opened_to_the_packet(bool length, bool sequence, int pad, bool hdlc, bool compressed)
    {
        var p = DecodedFrom1701(L2tpData(Ppp(0x0021, RemoteUsersSmb, hdlc, compressed), length, sequence, pad));
        Assert.Equal((1, IpProtocol.Tcp, "10.8.0.5", "10.20.0.9", 445), ((int)p.TunnelDepth, p.Protocol, p.Source.ToString(), p.Destination.ToString(), (int)p.DestinationPort));
        Assert.Equal((IpProtocol.Udp, 1701, 1701), (p.Carrier.Outer.Protocol, (int)p.Carrier.Outer.SourcePort, (int)p.Carrier.Outer.DestinationPort));
    }

    [Fact]
    public void A_data_message_carrying_ipv6_is_opened_to_the_packet()
    {
        var p = DecodedFrom1701(L2tpData(Ppp(0x0057, Ipv6("2001:db8:8::5", "2001:db8:20::9", 17, Udp(53000, 53)))), from: 50123);
        Assert.Equal((1, 6, "2001:db8:20::9", 53), ((int)p.TunnelDepth, (int)p.IpVersion, p.Destination.ToString(), (int)p.DestinationPort));
        Assert.Equal(50123, p.Carrier.Outer.SourcePort);
    }

    public static TheoryData<string, byte[]> NotTheTunnels => new()
    {
        // The link's own negotiation, as pn-l2tp.pcap's data message: L2TP's flow, which its inspector names.
        { "LCP", L2tpData(Ppp(0xC021, [1, 1, 0, 4])) },
        // A control message (T, L and S flags, version 2) carries no packet.
        { "control", [0xC8, 0x02, 0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0] },
        // A DNS query from port 1701 whose id (0x0002) reads as a data message's flags: its counts are no PPP frame.
        { "dns", [0x00, 0x02, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 3, (byte)'w', (byte)'w', (byte)'w', 0, 0, 1, 0, 1] },
        // A length that is not the datagram's, and version 3 (its session's cookie and sublayer are the peers' agreement).
        { "length", L2tpData(Ppp(0x0021, RemoteUsersSmb), length: true)[..^1] },
        { "version 3", [0x00, 0x03, .. L2tpData(Ppp(0x0021, RemoteUsersSmb))[2..]] },
        // An offset size past the datagram's end, and an IPv4 protocol field in front of something that is not IPv4.
        { "offset", [0x02, 0x02, 1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0x03, 0xC0, 0x21, 9, 1, 0, 4] },
        { "not ip", L2tpData(Ppp(0x0021, [0x60, 0, 0, 0])) },
    };

    [Theory]
    [MemberData(nameof(NotTheTunnels))]
    public void Anything_else_on_1701_stays_a_datagram_of_its_own(string what, byte[] payload)
    {
        var p = DecodedFrom1701(payload, to: 53);
        Assert.True((0, IpProtocol.Udp, false, 53) == ((int)p.TunnelDepth, p.Protocol, p.Carrier.Present, (int)p.DestinationPort), what);
    }

    // A user's SMB opening, and the datagram from the client's 1701 that carries what the test gives.
    private static readonly byte[] RemoteUsersSmb = Ipv4("10.8.0.5", "10.20.0.9", 6, Tcp(40000, 445, Syn));

    private static DecodedPacket DecodedFrom1701(byte[] l2tp, ushort from = 1701, ushort to = 1701)
    {
        var outer = Ipv4("198.51.100.7", "203.0.113.1", 17, Udp(from, to, l2tp));
        Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(101, outer, out var p));
        return p;
    }
}
