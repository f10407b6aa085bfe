using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

/// <summary>How the engine keeps its per-flow state: only for flows with bytes to read, and clean when reused.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class InspectionEngineTests
{
    private const long T0 = 1_700_000_000_000_000_000;
    private static readonly IpAddr Client = IpAddr.FromV4(0x0A000001), Server = IpAddr.FromV4(0x0A000002);
    private static readonly byte[] Nothing = Array.Empty<byte>();

    [Fact]
    public void AFlowWithoutPayloadNeverHoldsInspectionState()
    {
        var probe = new StateProbe();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), probe);
        SendTcp(table, T0, Client, 40000, Server, 443, 1000, TcpFlags.Syn, Nothing);
        SendTcp(table, T0 + 1, Server, 443, Client, 40000, 9000, TcpFlags.Syn | TcpFlags.Ack, Nothing);
        SendTcp(table, T0 + 2, Client, 40000, Server, 443, 1001, TcpFlags.Ack, Nothing);
        SendUdp(table, T0 + 3, Client, 40001, Server, 53, Nothing);
        table.Flush();
        Assert.Equal(4, probe.Packets);
        Assert.Equal(0, probe.PacketsWithState);
    }

    [Fact]
    public void AMultihomedRegistrationToAWinsServerIsNetBiosNameService()
    {
        // A WINS client's flow to 137: a multi-homed registration (opcode 15), then a query whose transaction id 0x2305
        // and flags could be read as an NTP v4 client header. Before opcode 15 was known, the flow stayed unlabelled.
        static byte[] Nbns(string idAndFlags) =>
            Convert.FromHexString((idAndFlags + "0001 0000 0000 0001 20").Replace(" ", ""))
                .Concat(Encoding.ASCII.GetBytes("FGEFEMEMEFCACACACACACACACACACAAA")).Concat(Convert.FromHexString("0000200001"))
                .Concat(Convert.FromHexString("c00c 0020 0001 00000e10 0006 6000 0a000001".Replace(" ", ""))).ToArray();
        var registration = Nbns("4711 7900 ");
        var query = Nbns("2305 0100 ");
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        SendUdp(table, T0, Client, 137, Server, 137, registration);
        SendUdp(table, T0 + 1, Client, 137, Server, 137, query);
        table.Flush();
        var flow = Assert.Single(collector.Flows);
        Assert.Equal((AppLabel.NetBiosNs, "multihomed-registration"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void ASegmentThatOvertakesTheFirstWaitsFromTheSynSequence()
    {
        var first = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n");
        var second = Encoding.ASCII.GetBytes("Host: example.org\r\n\r\n");
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        SendTcp(table, T0, Client, 40000, Server, 80, 1000, TcpFlags.Syn, Nothing);
        SendTcp(table, T0 + 1, Server, 80, Client, 40000, 9000, TcpFlags.Syn | TcpFlags.Ack, Nothing);
        // The second segment comes first: only the SYN tells that bytes are missing before it.
        SendTcp(table, T0 + 2, Client, 40000, Server, 80, 1001 + (uint)first.Length, TcpFlags.Ack, second);
        SendTcp(table, T0 + 3, Client, 40000, Server, 80, 1001, TcpFlags.Ack, first);
        table.Flush();
        var flow = Assert.Single(collector.Flows);
        Assert.Equal((AppLabel.Http, "GET; host=example.org"), (flow.App, flow.AppDetail?.ToString()));
        Assert.Equal("example.org", flow.AppDetail?.Find("host"));
    }

    [Fact]
    public void AReusedStateStartsClean()
    {
        var garbage = Enumerable.Repeat((byte)0xFF, 16).ToArray();
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        // The ClientHello marks the TLS inspector's scratch; the server's next bytes end inspection of this flow.
        SendTcp(table, T0, Client, 40000, Server, 443, 1000, TcpFlags.Ack, TlsInspectorTests.ClientHello("a.example"));
        SendTcp(table, T0 + 1, Server, 443, Client, 40000, 9000, TcpFlags.Ack, garbage);
        // The next flow gets the state the first gave back: a leftover mark would call these bytes TLS.
        SendTcp(table, T0 + 2, Client, 40001, Server, 443, 5000, TcpFlags.Ack, garbage);
        table.Flush();
        Assert.Equal(AppLabel.Tls, collector.Flows.Single(f => f.ClientPort == 40000).App);
        Assert.Null(collector.Flows.Single(f => f.ClientPort == 40001).App);
    }

    private sealed class StateProbe : IFlowObserver
    {
        public int Packets, PacketsWithState;

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload)
        {
            Packets++;
            if (flow.InspectionState is not null) PacketsWithState++;
        }

        public void OnFlowEnd(Flow flow) { }
    }
}
