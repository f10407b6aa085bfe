using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Pipeline.Filter;
using PortAudit.Sources.Files;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Pipeline.Filter;

/// <summary>
/// The filter's address, port and transport terms against tcpdump's own evaluation of the same expression: the flows
/// our filter keeps from a capture are the flows of the packets tcpdump keeps. Only terms about either end are compared:
/// tcpdump's src and dst are a packet's, ours a flow's client and server (Zeek's orig and resp), which differ for replies.
/// ICMP errors are left out on both sides: we fold one into the flow it quotes (and judge it with that flow's ends and
/// ports), where tcpdump sees an ICMP packet.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class FlowFilterTcpdumpTests : IDisposable
{
    private static readonly string[] Expressions =
    [
        "port 53 or port 88",
        "(port 53 or port 88) and udp",
        "tcp and not (port 80 or port 443)",
        "net 10.0.0.0/8 and not net 10.77.0.0/16",
        "host 10.77.0.10 or udp",
        "not tcp && !udp",
        "portrange 1024-5000 || port 5061",
        "icmp or (tcp and port 5061)",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [NeedsProgramFact("tcpdump", package: "tcpdump")]
    public void OurFlowsAreTheFlowsOfThePacketsTcpdumpKeeps()
    {
        int compared = 0;
        foreach (string capture in new[] { SharedData.InRepository("captures/lab.pcapng"), SharedData.InRepository("captures/windows-lab.pcapng") })
        foreach (string expression in Expressions)
        {
            string kept = _dir.File($"kept-{compared}.pcap");
            External.Run("tcpdump", "-r", capture, "-w", kept, expression);
            var ours = Keys(capture, FlowFilter.Create(expression, null, null));
            var theirs = Keys(kept, null);
            Assert.True(ours.SetEquals(theirs),
                $"{Path.GetFileName(capture)} '{expression}': ours only [{string.Join(' ', ours.Except(theirs))}] tcpdump only [{string.Join(' ', theirs.Except(ours))}]");
            compared += ours.Count;
        }
        Assert.True(compared > 100, $"only {compared} flows compared");
    }

    private static HashSet<string> Keys(string capture, FlowFilter? filter)
    {
        var collected = new Collector();
        new TrafficRun(new FlowTableOptions { Selection = filter }, collected).Read(CaptureFileSource.Of([capture]));
        // Orientation is left out: a flow cut out of its capture may open with a reply.
        return collected.Keys;
    }

    private sealed class Collector : IFlowObserver
    {
        public HashSet<string> Keys { get; } = [];

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow)
        {
            if (IsIcmpError(flow)) return;
            string a = $"{flow.Client}:{flow.ClientPort}", b = $"{flow.Server}:{flow.ServerPort}";
            Keys.Add($"{flow.Transport} {(string.CompareOrdinal(a, b) < 0 ? $"{a} {b}" : $"{b} {a}")}");
        }

        // ICMP unreachable, source quench, time exceeded, parameter problem; ICMPv6 unreachable, too big, time exceeded, parameter problem.
        private static bool IsIcmpError(Flow flow) =>
            (flow.Protocol == 1 && flow.IcmpType is 3 or 4 or 11 or 12) || (flow.Protocol == 58 && flow.IcmpType is >= 1 and <= 4);
    }
}
