using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Flows;

[Trait(Tier.Name, Tier.Unit)]
public class FlowTableTests
{
    private const string C = "10.0.0.1", S = "10.0.0.2";

    private static byte[] ToServer(byte flags, byte[]? data = null) => Ip(C, S, 6, Tcp(50000, 445, flags, data: data));
    private static byte[] ToClient(byte flags) => Ip(S, C, 6, Tcp(445, 50000, flags));

    private static List<Flow> Run(params byte[][] ipPackets) => Run(null, ipPackets.Select((p, i) => (p, (double)i)).ToArray());

    private static List<Flow> Run(FlowTableOptions? options, params (byte[] Packet, double Seconds)[] packets)
    {
        var builder = new PcapBuilder(linkType: 101);
        foreach (var (packet, seconds) in packets) builder.Add(packet, seconds);
        return FlowRunner.Run(builder.Build(), options).Flows;
    }

    [Fact]
    public void CompletedHandshakeIsEstablishedWithTheSynSenderAsClient()
    {
        var flow = Assert.Single(Run(ToServer(Syn), ToClient(Syn | Ack), ToServer(Ack), ToServer(Ack | Psh, new byte[10])));
        Assert.Equal(FlowState.Established, flow.State);
        Assert.Equal(C, flow.Client.ToString());
        Assert.Equal(445, flow.ServerPort);
        Assert.Equal((3L, 3L * 40 + 10, 1L, 40L), (flow.PacketsToServer, flow.BytesToServer, flow.PacketsToClient, flow.BytesToClient));
    }

    [Fact]
    public void ResetAnsweringTheSynIsRejected()
    {
        Assert.Equal(FlowState.Rejected, Assert.Single(Run(ToServer(Syn), ToClient(Rst | Ack))).State);
    }

    [Fact]
    public void SynWithoutAnswerIsUnanswered()
    {
        var flow = Assert.Single(Run(ToServer(Syn), ToServer(Syn), ToServer(Syn)));
        Assert.Equal(FlowState.Unanswered, flow.State);
        Assert.Equal(3, flow.PacketsToServer);
    }

    [Fact]
    public void An_acknowledgement_of_an_answer_the_capture_did_not_show_means_the_opening_was_answered()
    {
        // Split routing, or a tap on one direction: the server's SYN-ACK took a path the capture did not see, and the
        // client's acknowledgement of it is the proof that it came. Nothing refused this opening.
        var split = Assert.Single(Run(ToServer(Syn), ToServer(Ack), ToServer(Ack | Psh, new byte[10]), ToServer(Ack | Fin)));
        Assert.Equal((FlowState.Established, 4L, 0L), (split.State, split.PacketsToServer, split.PacketsToClient));
        // So is the server's data when the capture dropped its SYN-ACK and the client's acknowledgement.
        Assert.Equal(FlowState.Established, Assert.Single(Run(ToServer(Syn), ToClient(Ack | Psh), ToServer(Ack))).State);
        // Its SYN again, or a reset of its own, is no such proof.
        Assert.Equal(FlowState.Unanswered, Assert.Single(Run(ToServer(Syn), ToServer(Syn), ToServer(Rst))).State);
        // An unreachable before the acknowledgement refused the opening; the client's own packets after it do not undo that.
        var refused = Run(ToServer(Syn), Ip(S, C, 1, Unreachable(false, 13, ToServer(Syn)[..28])), ToServer(Ack));
        Assert.Equal(FlowState.Rejected, Assert.Single(refused, f => f.Protocol == IpProtocol.Tcp).State);
    }

    [Fact]
    public void FlowWithoutItsOpeningIsMidstreamAndThePortDecidesTheClient()
    {
        var flow = Assert.Single(Run(ToClient(Ack | Psh), ToServer(Ack)));
        Assert.Equal(FlowState.Midstream, flow.State);
        Assert.Equal(C, flow.Client.ToString());
        Assert.Equal(1, flow.PacketsToClient);
    }

    [Fact]
    public void UdpAnswerFromTheServerPortMakesTheEarlierSideTheClient()
    {
        var flow = Assert.Single(Run(Ip(S, C, 17, Udp(53, 40000)), Ip(C, S, 17, Udp(40000, 53))));
        Assert.Equal(C, flow.Client.ToString());
        Assert.Equal(FlowState.Established, flow.State);
    }

    [Fact]
    public void A_datagram_flow_holding_only_its_servers_packets_is_midstream_not_established()
    {
        // Two answers from the server's port and no query: the capture shows that the server sent, not that an opening
        // was answered (the state a firewall audit reads as "it went through").
        var flow = Assert.Single(Run(Ip(S, C, 17, Udp(53, 40000)), Ip(S, C, 17, Udp(53, 40000))));
        Assert.Equal((C, 0L, 2L), (flow.Client.ToString(), flow.PacketsToServer, flow.PacketsToClient));
        Assert.Equal(FlowState.Midstream, flow.State);
    }

    [Fact]
    public void AFlowEvictedAsItIsCreatedTakesNoMorePackets()
    {
        // Out-of-order timestamps make the newest flow the idlest: the table evicts it at once, and its next
        // packet must open a new flow rather than count into the one already handed on.
        var options = new FlowTableOptions { MaxFlows = 1 };
        var a = Ip(C, S, 17, Udp(40000, 53));
        var b = Ip(C, S, 17, Udp(40001, 53));
        var flows = Run(options, (a, 5), (b, 1), (b, 2));
        Assert.Equal(new[] { (40000, 1L), (40001, 1L), (40001, 1L) },
            flows.Select(f => ((int)f.ClientPort, f.PacketsToServer)).OrderBy(x => x.Item1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IcmpUnreachableAnsweringUdpRejectsTheFlow(bool v6)
    {
        string c = v6 ? "2001:db8::1" : C, s = v6 ? "2001:db8::2" : S;
        var probe = Ip(c, s, 17, Udp(40000, 161));
        var unreachable = Ip(s, c, v6 ? (byte)58 : (byte)1, Unreachable(v6, v6 ? (byte)4 : (byte)3, probe));
        var flows = Run(probe, unreachable);
        // The error is evidence on the flow it answers, not a flow of its own.
        var udp = Assert.Single(flows);
        Assert.Equal(FlowState.Rejected, udp.State);
        Assert.Equal(0, udp.PacketsToClient);
        Assert.Equal($"port-unreachable from {s}", udp.IcmpErrors.ToString());
    }

    [Fact]
    public void NewSynAfterACloseStartsANewFlow()
    {
        var flows = Run(ToServer(Syn), ToClient(Syn | Ack), ToServer(Fin | Ack), ToClient(Fin | Ack), ToServer(Ack),
            ToServer(Syn), ToClient(Rst | Ack));
        Assert.Equal(2, flows.Count);
        Assert.Equal(new[] { FlowState.Established, FlowState.Rejected }, flows.Select(f => f.State));
    }

    [Fact]
    public void UdpFlowEndsAfterTheIdleTimeout()
    {
        var options = new FlowTableOptions { UdpIdleTimeout = TimeSpan.FromSeconds(10) };
        var q = Ip(C, S, 17, Udp(40000, 53));
        var flows = Run(options, (q, 0), (q, 5), (q, 30), (q, 31));
        Assert.Equal(new long[] { 2, 2 }, flows.Select(f => f.PacketsToServer));
    }

    [Fact]
    public void A_datagram_past_the_idle_limit_opens_a_new_flow_though_no_sweep_came_between()
    {
        // Another flow's packets every 15 s keep the sweeps at 0, 15, ... 120 s (the default interval: half the closed
        // linger); the query at 121 s is a second past its flow's 120 s limit and 14 s before the next sweep.
        var q = Ip(C, S, 17, Udp(40000, 53));
        var other = Ip(C, "10.0.0.3", 17, Udp(40001, 53));
        var packets = Enumerable.Range(0, 9).Select(i => (other, i * 15.0)).Append((q, 0.5)).Append((q, 121)).OrderBy(p => p.Item2).ToArray();
        var queries = Run(null, packets).Where(f => f.ClientPort == 40000).ToList();
        Assert.Equal(new[] { 1L, 1L }, queries.Select(f => f.PacketsToServer));
        Assert.Equal(120.5, (queries[1].StartNs - queries[0].StartNs) / 1e9);
    }

    [Fact]
    public void A_flow_ends_at_its_limit_where_the_captures_time_went_back()
    {
        // A capture whose clock went back (sessions appended out of order, ipsec_isakmp_esp.pcap): the first packet put
        // the next sweep past every later one, and the query flow, 40 s idle twice over a 10 s limit, held all three.
        var options = new FlowTableOptions { UdpIdleTimeout = TimeSpan.FromSeconds(10) };
        var q = Ip(C, S, 17, Udp(40000, 53));
        var flows = Run(options, (Ip(C, "10.0.0.3", 17, Udp(40001, 53)), 1000), (q, 100), (q, 140), (q, 180));
        Assert.Equal(new long[] { 1, 1, 1 }, flows.Where(f => f.ClientPort == 40000).Select(f => f.PacketsToServer));
    }

    [Fact]
    public void A_clock_gone_back_brings_the_sweeps_with_it()
    {
        // After a packet at 1,000 s the capture goes back to 95 s: a sweep is due at the first packet more than an interval
        // (5 s) before the last sweep, and the next at 200 s ends the query of 100 s, idle past its 10 s. Without them the
        // next sweep waits for 1,005 s, and every flow of the earlier time stays held to the end of input.
        var options = new FlowTableOptions { UdpIdleTimeout = TimeSpan.FromSeconds(10) };
        var flows = Run(options, (Ip(C, "10.0.0.9", 17, Udp(40009, 53)), 1000), (ToServer(Syn), 95), (Ip(C, S, 17, Udp(40000, 53)), 100),
            (Ip(C, S, 17, Udp(40001, 53)), 200));
        // The query ends at the sweep; the others at the end of input, by their start.
        Assert.Equal(new[] { 40000, 50000, 40001, 40009 }, flows.Select(f => (int)f.ClientPort));
    }

    [Fact]
    public void FullTableEvictsTheIdlestFlowsAndCountsThem()
    {
        var options = new FlowTableOptions { MaxFlows = 10 };
        var packets = Enumerable.Range(0, 100).Select(i => (Ip(C, S, 17, Udp((ushort)(20000 + i), 53)), (double)i)).ToArray();
        var builder = new PcapBuilder(linkType: 101);
        foreach (var (p, t) in packets) builder.Add(p, t);
        var runner = FlowRunner.Run(builder.Build(), options);
        Assert.Equal(100, runner.Flows.Count);
        Assert.Equal(90, runner.Table.Statistics.FlowsEvicted);
        Assert.Equal(11, runner.Table.Statistics.PeakActiveFlows);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LaterFragmentsJoinTheFlowOfTheirFirstInAnyOrder(bool laterFirst)
    {
        var udp = Udp(40000, 53, new byte[40]);
        var first = Ipv4(C, S, 17, udp[..24], id: 7, fragmentField: 0x2000);
        var middle = Ipv4(C, S, 17, udp[24..40], id: 7, fragmentField: 0x2000 | 3);
        var last = Ipv4(C, S, 17, udp[40..], id: 7, fragmentField: 5);
        var flow = Assert.Single(laterFirst ? Run(last, middle, first) : Run(first, middle, last));
        Assert.Equal(3, flow.PacketsToServer);
        Assert.Equal(first.Length + middle.Length + last.Length, flow.BytesToServer);
        Assert.Equal(53, flow.ServerPort);
    }

    [Fact]
    public void IcmpExchangesBetweenTwoHostsAreFlowsOfTheirOwnWithBothDirectionsInEach()
    {
        // Echo, timestamp and a one-way router advertisement from the same pair: three flows, as Zeek's ICMP connections.
        var flows = Run(
            Ip(C, S, 1, IcmpError(8, 0, [0, 1, 0, 1])), Ip(S, C, 1, IcmpError(0, 0, [0, 1, 0, 1])),
            Ip(C, S, 1, IcmpError(13, 0, [0, 2, 0, 1])), Ip(S, C, 1, IcmpError(14, 0, [0, 2, 0, 1])),
            Ip(S, C, 1, IcmpError(9, 0, [1, 0, 0, 0])), Ip(C, S, 1, IcmpError(8, 0, [0, 1, 0, 2])));

        var seen = flows.OrderBy(f => f.Id).Select(f => (f.IcmpType, f.PacketsToServer, f.PacketsToClient)).ToList();

        Assert.Equal([((byte)8, 2L, 1L), ((byte)13, 1L, 1L), ((byte)9, 1L, 0L)], seen);
    }

    [Fact]
    public void NeighborDiscoveryIsNotTheFlowOfAPingBetweenTheSameIpv6Hosts()
    {
        const string a = "fe80::1", b = "fe80::2";
        var flows = Run(
            Ip(a, b, 58, IcmpError(135, 0, new byte[20])), Ip(b, a, 58, IcmpError(136, 0, new byte[20])),
            Ip(a, b, 58, IcmpError(128, 0, [0, 1, 0, 1])), Ip(b, a, 58, IcmpError(129, 0, [0, 1, 0, 1])));

        Assert.Equal([(135, 1L, 1L), (128, 1L, 1L)], flows.OrderBy(f => f.Id).Select(f => ((int)f.IcmpType, f.PacketsToServer, f.PacketsToClient)));
    }

    [SharedDataFact("captures/zeek-icmp-icmp-destunreach-ip.pcap")]
    public void RealIcmpUnreachableCaptureIsDecoded()
    {
        var flow = Assert.Single(FlowRunner.Run(SharedData.Path("captures/zeek-icmp-icmp-destunreach-ip.pcap")!).Flows);
        Assert.Equal("icmp", flow.Transport);
    }

    [SharedDataFact("captures/zeek-ipv4-fragmented-syn.pcap")]
    public void RealFragmentedSynIsOneFlow()
    {
        var flow = Assert.Single(FlowRunner.Run(SharedData.Path("captures/zeek-ipv4-fragmented-syn.pcap")!).Flows);
        Assert.Equal("tcp", flow.Transport);
        Assert.Equal(2, flow.PacketsToServer);
    }
}
