using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// A DNS message says which side sent it: a query the client, a response the server (RFC 1035 4.1.1, QR). Through the
/// flow table and inspection as a capture goes, it turns a flow whose sides the ports guessed wrong, and only such a flow.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class DnsSidesTests
{
    private const string Ws = "10.0.0.50", Dc = "10.0.0.10";
    private static readonly byte[] Query = DnsQuery("x.example.com", id: 10);

    private static Flow Only(params byte[][] frames) => Assert.Single(InspectTestData.Inspect(PcapBuilder.Spaced(frames)));

    private static byte[] Datagram(string from, ushort fromPort, string to, ushort toPort, byte[] payload) =>
        Ethernet(Ip(from, to, IpProtocol.Udp, Udp(fromPort, toPort, payload)));

    private static string Sides(Flow flow) =>
        $"{flow.Client}:{flow.ClientPort} -> {flow.Server}:{flow.ServerPort}, {flow.PacketsToServer} to the server, {flow.PacketsToClient} back";

    [Fact]
    public void AQueryFromPort53ToAHighPortComesFromTheClient()
    {
        // A resolver that queries from port 53 (BIND's query-source port 53) a server on
        // 53535. The ports made the server the client of a DNS server on the resolver's 53.
        var flow = Only(Datagram(Ws, 53, Dc, 53535, Query), Datagram(Dc, 53535, Ws, 53, DnsAnswer(Query)));
        Assert.Equal(("10.0.0.50:53 -> 10.0.0.10:53535, 1 to the server, 1 back", FlowState.Established, "query; name=x.example.com; type=A"),
            (Sides(flow), flow.State, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AResponseAloneComesFromTheServerWhicheverItsPort()
    {
        // A response alone: from 53 the ports said so already; from a high port to 53 they said the opposite.
        Assert.Equal("10.0.0.50:52000 -> 10.0.0.10:53, 0 to the server, 1 back", Sides(Only(Datagram(Dc, 53, Ws, 52000, DnsAnswer(Query)))));
        Assert.Equal("10.0.0.50:53 -> 10.0.0.10:53535, 0 to the server, 1 back", Sides(Only(Datagram(Dc, 53535, Ws, 53, DnsAnswer(Query)))));
    }

    [Theory]
    [InlineData("224.0.0.251")]
    [InlineData("ff02::fb")]
    public void AnMdnsResponseToItsGroupLeavesTheGroupTheServer(string group)
    {
        // RFC 6762 6: responses go unasked to the group, which sends nothing and is no client.
        string host = group.Contains(':') ? "fe80::1" : "10.0.0.60";
        var flow = Only(Datagram(host, 5353, group, 5353, DnsAnswer(DnsQuery("printer.local"))));
        Assert.Equal($"{host}:5353 -> {group}:5353, 1 to the server, 0 back", Sides(flow));
    }

    [Fact]
    public void ATcpFlowWhoseOpeningWasSeenKeepsTheSidesItsSynNamed()
    {
        // The side that sent the SYN is the client whatever the bytes after it say.
        var frames = new[]
        {
            Ethernet(Ip(Ws, Dc, IpProtocol.Tcp, Tcp(53, 40000, Syn, seq: 1000))),
            Ethernet(Ip(Dc, Ws, IpProtocol.Tcp, Tcp(40000, 53, Syn | Ack, seq: 5000, ack: 1001))),
            Ethernet(Ip(Ws, Dc, IpProtocol.Tcp, Tcp(53, 40000, Ack, seq: 1001, ack: 5001))),
            Ethernet(Ip(Dc, Ws, IpProtocol.Tcp, Tcp(40000, 53, Ack | Psh, seq: 5001, ack: 1001, data: [0, (byte)Query.Length, .. Query]))),
        };
        var flow = Only(frames);
        Assert.Equal(("dns", "10.0.0.50:53 -> 10.0.0.10:40000, 2 to the server, 2 back"), (flow.App?.Name, Sides(flow)));
    }
}
