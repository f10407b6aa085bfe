using System.Text.Json;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Report.Records;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Flows;

/// <summary>
/// ICMP and ICMPv6 errors are evidence on the flow whose packet they quote, never flows of their own; an error that
/// quotes a flow never seen stays a flow, so nothing is lost.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class IcmpErrorFoldingTests
{
    private const string C = "10.0.0.1", S = "10.0.0.2", Router = "10.0.0.254";

    private static FlowRunner Run(params byte[][] ipPackets) => FlowRunner.RunIp(null, ipPackets);

    private static JsonElement Record(Flow flow)
    {
        var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output))
        {
            writer.Write(flow);
            writer.Complete();
        }
        return JsonDocument.Parse(output.ToArray()).RootElement;
    }

    [Fact]
    public void PortUnreachableIsFoldedIntoTheUdpFlowItAnswersAndWrittenInItsRecord()
    {
        var probe = Ip(C, S, 17, Udp(40000, 514));
        var runner = Run(probe, Ip(S, C, 1, Unreachable(false, 3, probe)), probe, Ip(S, C, 1, Unreachable(false, 3, probe)));

        var flow = Assert.Single(runner.Flows);
        Assert.Equal((IpProtocol.Udp, FlowState.Rejected), (flow.Protocol, flow.State));
        // Counters stay those of the UDP flow: the errors are evidence, not packets of it.
        Assert.Equal((2L, 0L, 0L), (flow.PacketsToServer, flow.PacketsToClient, flow.BytesToClient));
        Assert.Equal(new IcmpErrors(2, IpProtocol.Icmp, 3, 3, IpAddr.FromV4(0x0A000002)), flow.IcmpErrors);
        Assert.Equal(2, runner.Table.Statistics.UnreachablesMatched);

        var record = Record(flow);
        Assert.Equal(2, record.GetProperty("icmpErrors").GetInt64());
        Assert.Equal("port-unreachable from 10.0.0.2", record.GetProperty("icmpError").GetString());
        Assert.Equal(["icmpErrors", "icmpError", "tunnel", "cutOff"], record.EnumerateObject().Select(p => p.Name).TakeLast(4));
    }

    [Fact]
    public void FlowWithoutErrorsWritesZeroAndNull()
    {
        var flow = Assert.Single(Run(Ip(C, S, 17, Udp(40000, 53)), Ip(S, C, 17, Udp(53, 40000))).Flows);
        var record = Record(flow);
        Assert.Equal(0, record.GetProperty("icmpErrors").GetInt64());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("icmpError").ValueKind);
    }

    [Theory]
    [InlineData(false, 11, 0, "ttl-exceeded")]
    [InlineData(false, 12, 0, "parameter-problem")]
    [InlineData(false, 4, 0, "source-quench")]
    [InlineData(true, 3, 0, "hop-limit-exceeded")]
    [InlineData(true, 2, 0, "packet-too-big")]
    [InlineData(true, 4, 1, "parameter-problem")]
    public void OtherErrorsFromARouterAreEvidenceButNoRejection(bool v6, byte type, byte code, string name)
    {
        string c = v6 ? "2001:db8::1" : C, s = v6 ? "2001:db8::2" : S, router = v6 ? "2001:db8::fe" : Router;
        var syn = Ip(c, s, 6, Tcp(50000, 443, Syn));
        var runner = Run(syn, Ip(router, c, v6 ? IpProtocol.IcmpV6 : IpProtocol.Icmp, IcmpError(type, code, syn)));

        var flow = Assert.Single(runner.Flows);
        Assert.Equal(IpProtocol.Tcp, flow.Protocol);
        // Only an unreachable says the destination refused: a path failure leaves the opening unanswered.
        Assert.Equal(FlowState.Unanswered, flow.State);
        Assert.Equal($"{name} from {router}", flow.IcmpErrors.ToString());
    }

    [Fact]
    public void ErrorAboutTheServersPacketKeepsTheFlowEstablished()
    {
        // As in the lab sample: the TURN server's late answer meets a client port already closed.
        var request = Ip(C, S, 17, Udp(48332, 3478));
        var answer = Ip(S, C, 17, Udp(3478, 48332));
        var flow = Assert.Single(Run(request, answer, answer, Ip(C, S, 1, Unreachable(false, 3, answer))).Flows);

        Assert.Equal(FlowState.Established, flow.State);
        Assert.Equal("port-unreachable from 10.0.0.1", flow.IcmpErrors.ToString());
    }

    [Fact]
    public void AnUnreachableThatTheRetriedOpeningOutlivesRefusesNothing()
    {
        // A host unreachable is a soft error: the client sends its SYN or datagram again, and the server's answer says
        // the opening went through. The error stays evidence on the flow.
        var syn = Ip(C, S, 6, Tcp(40000, 5061, Syn));
        var tcp = Assert.Single(Run(syn, Ip(Router, C, 1, Unreachable(false, 1, syn)), syn, Ip(S, C, 6, Tcp(5061, 40000, Syn | Ack)),
            Ip(C, S, 6, Tcp(40000, 5061, Ack))).Flows);
        var query = Ip(C, S, 17, Udp(40001, 53));
        var udp = Assert.Single(Run(query, Ip(Router, C, 1, Unreachable(false, 1, query)), query, Ip(S, C, 17, Udp(53, 40001))).Flows);

        Assert.Equal((FlowState.Established, "host-unreachable from 10.0.0.254"), (tcp.State, tcp.IcmpErrors.ToString()));
        Assert.Equal((FlowState.Established, "host-unreachable from 10.0.0.254"), (udp.State, udp.IcmpErrors.ToString()));
    }

    [Fact]
    public void ErrorQuotingAFlowNeverSeenStaysAFlowOfItsOwn()
    {
        var neverSeen = Ip(C, S, 17, Udp(40000, 161));
        var runner = Run(Ip(C, S, 17, Udp(40001, 161)), Ip(S, C, 1, Unreachable(false, 3, neverSeen)));

        Assert.Equal(["icmp", "udp"], runner.Flows.Select(f => f.Transport).Order());
        Assert.All(runner.Flows, f => Assert.Equal(0, f.IcmpErrors.Count));
        Assert.Equal(0, runner.Table.Statistics.UnreachablesMatched);
    }

    [Fact]
    public void ErrorAfterItsFlowWentIdlePastItsLimitIsNotEvidenceOnIt()
    {
        // Packets a second apart, UDP's limit 3 s: sweeps fall at 0, 2 and 4 s, so at 5 s the probe's flow (last seen at
        // 1 s) is over though no sweep has ended it yet. The error quotes a packet the capture did not hold: not the
        // probe's, whose flow had ended, so it is a flow of its own and the probe stays unanswered, not refused.
        var probe = Ip(C, S, 17, Udp(40000, 514));
        var other = Ip(C, S, 17, Udp(40001, 53));
        var runner = FlowRunner.RunIp(new FlowTableOptions { UdpIdleTimeout = TimeSpan.FromSeconds(3) },
            other, probe, other, other, other, Ip(S, C, 1, Unreachable(false, 3, probe)));

        var udp = Assert.Single(runner.Flows, f => f.ClientPort == 40000);
        Assert.Equal((FlowState.Unanswered, 0), (udp.State, udp.IcmpErrors.Count));
        Assert.Single(runner.Flows, f => f.Protocol == IpProtocol.Icmp);
        Assert.Equal(0, runner.Table.Statistics.UnreachablesMatched);
    }

    // A tunnel's packet from C to S carrying one UDP datagram, in VXLAN, IP in IP, GRE or 6in4.
    private static byte[] TunnelPacket(string tunnel, string from = C, string to = S)
    {
        var inner = Ip("172.16.0.1", "172.16.0.2", 17, Udp(1000, 2000));
        return tunnel switch
        {
            "vxlan" => Ip(from, to, 17, Udp(38071, 4789, Vxlan(Ethernet(inner), vni: 1))),
            "ipip" => Ip(from, to, 4, inner),
            "gre" => Ip(from, to, 47, Gre(0x0800, inner)),
            _ => Ip(from, to, 41, Ipv6("2001:db8::a", "2001:db8::b", 17, Udp(1000, 2000))),
        };
    }

    [Theory]
    [InlineData("vxlan")]
    [InlineData("ipip")]
    [InlineData("gre")]
    [InlineData("6in4")]
    public void ErrorQuotingATunnelsPacketIsEvidenceOnTheTunnelsOwnFlowNotOnTheFlowInside(string tunnel)
    {
        // A router on the path drops a tunnel's packet and says so: it quotes the outer packet, which the flow inside did
        // not send. The flow inside is neither refused nor given the error; the tunnel's own flow, which the router judged, is.
        var packet = TunnelPacket(tunnel);
        var runner = Run(packet, Ip(Router, C, 1, Unreachable(false, 13, packet[..28])), packet);

        Assert.Equal(2, runner.Flows.Count);
        var carried = Assert.Single(runner.Flows, f => f.Tunnel is not null);
        Assert.Equal(0L, carried.IcmpErrors.Count);
        Assert.NotEqual(FlowState.Rejected, carried.State);
        var carrier = Assert.Single(runner.Flows, f => f.Tunnel is null);
        Assert.Equal((C, S, 2L), (carrier.Client.ToString(), carrier.Server.ToString(), carrier.PacketsToServer));
        Assert.Equal($"admin-prohibited from {Router}", carrier.IcmpErrors.ToString());
        // Refused at its first packet, before the far end sent anything: a blocked tunnel, as an unreachable opening is.
        Assert.Equal(FlowState.Rejected, carrier.State);
        Assert.Equal(1, runner.Table.Statistics.UnreachablesMatched);
        var record = Record(carrier);
        Assert.Equal((1, $"admin-prohibited from {Router}"), (record.GetProperty("icmpErrors").GetInt32(), record.GetProperty("icmpError").GetString()));
    }

    [Fact]
    public void A_tunnel_answered_before_the_error_or_told_its_path_failed_is_not_refused()
    {
        var there = TunnelPacket("gre");
        var back = TunnelPacket("gre", S, C);
        var tooBig = Ip(Router, C, 1, IcmpError(3, 4, there[..28]));
        var ttl = Ip(Router, C, 1, IcmpError(11, 0, there[..28]));
        var unreachable = Ip(Router, C, 1, Unreachable(false, 1, there[..28]));

        var answered = Assert.Single(Run(there, back, unreachable).Flows, f => f.Tunnel is null);
        Assert.Equal((FlowState.Established, 1L), (answered.State, answered.IcmpErrors.Count));
        // Time exceeded and fragmentation needed (the path's MTU, which a tunnel's outer packets meet) say the path
        // failed, not that anyone refused the tunnel; the first error stays the one described.
        var path = Assert.Single(Run(there, ttl, tooBig).Flows, f => f.Tunnel is null);
        Assert.Equal((FlowState.Unanswered, 2L, "ttl-exceeded from " + Router), (path.State, path.IcmpErrors.Count, path.IcmpErrors.ToString()));
        var mtu = Assert.Single(Run(there, tooBig).Flows, f => f.Tunnel is null);
        Assert.Equal((FlowState.Unanswered, "fragmentation-needed from " + Router), (mtu.State, mtu.IcmpErrors.ToString()));
        var refused = Assert.Single(Run(there, tooBig, unreachable).Flows, f => f.Tunnel is null);
        Assert.Equal((FlowState.Rejected, 2L), (refused.State, refused.IcmpErrors.Count));
    }

    [Fact]
    public void FragmentationNeededBeforeAnyAnswerDoesNotMakeAFlowRefused()
    {
        // A first datagram too large for the path, sent with DF set: the router says so, the server never saw it. The flow
        // failed on its path; nothing refused it, as a port unreachable would have (and as ICMPv6's packet too big never does).
        var large = Ip(C, S, 17, Udp(40000, 5060, new byte[1400]));
        var runner = Run(large, Ip(Router, C, 1, IcmpError(3, 4, large[..28])));

        var flow = Assert.Single(runner.Flows);
        Assert.Equal((FlowState.Unanswered, "fragmentation-needed from " + Router), (flow.State, flow.IcmpErrors.ToString()));
        var refused = Assert.Single(Run(large, Ip(Router, C, 1, IcmpError(3, 13, large[..28]))).Flows);
        Assert.Equal(FlowState.Rejected, refused.State);
    }

    [Fact]
    public void ErrorQuotingATunnelNeverSeenStaysAFlowBetweenTheRouterAndTheSender()
    {
        // What a router says of a packet the capture never showed is its own claim, not a tunnel the capture saw: the error
        // is audited as the ICMP it is, as an error quoting any flow never seen. So is one quoting a tunnel seen only later.
        var packet = TunnelPacket("gre");
        var runner = Run(Ip(Router, C, 1, Unreachable(false, 13, packet[..28])), packet);

        var error = Assert.Single(runner.Flows, f => f.Protocol == IpProtocol.Icmp);
        Assert.Equal((Router, C), (error.Client.ToString(), error.Server.ToString()));
        var carrier = Assert.Single(runner.Flows, f => f.Protocol == IpProtocol.Gre);
        Assert.Equal((0L, FlowState.Unanswered), (carrier.IcmpErrors.Count, carrier.State));
        Assert.Equal(0, runner.Table.Statistics.UnreachablesMatched);
    }

    [SharedDataFact("captures/zeek-icmp-icmp-destunreach-ip.pcap")]
    public void RealUnreachableQuotingNoCapturedFlowStaysAFlow()
    {
        var runner = FlowRunner.Run(SharedData.Path("captures/zeek-icmp-icmp-destunreach-ip.pcap")!);

        var flow = Assert.Single(runner.Flows);
        Assert.Equal(("icmp", "10.0.0.1", 0L), (flow.Transport, flow.Client.ToString(), flow.IcmpErrors.Count));
        Assert.Equal(0, runner.Table.Statistics.UnreachablesMatched);
    }

    [Fact]
    public void LabSamplesPortUnreachableIsEvidenceOnTheTurnFlow()
    {
        var runner = FlowRunner.Run(SharedData.InRepository("captures/lab.pcapng"));

        Assert.DoesNotContain(runner.Flows, f => f.Protocol == IpProtocol.Icmp);
        Assert.Equal(16, runner.Flows.Count);
        // Four refreshes answered after the client closed four allocations' ports: one error on each of those flows.
        var answered = runner.Flows.Where(f => f.IcmpErrors.Count > 0).ToList();
        Assert.Equal([40681, 47880, 48332, 59784], answered.Select(f => (int)f.ClientPort).Order());
        Assert.All(answered, turn =>
        {
            Assert.Equal(("10.77.0.20", 3478, FlowState.Established, 1L),
                (turn.Server.ToString(), (int)turn.ServerPort, turn.State, turn.IcmpErrors.Count));
            Assert.Equal("port-unreachable from 10.77.0.100", turn.IcmpErrors.ToString());
        });
        Assert.Equal(4, runner.Table.Statistics.UnreachablesMatched);
    }
}
