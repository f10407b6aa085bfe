using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.DecodedPackets;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// MS-RDPEUDP joined after its SYN exchange: ndpi-rdp2.pcap's 10.8.37.100:51652 -> 10.100.2.87:3389 holds only data
/// datagrams (ACK and DATA set, an ACK vector, the source payload header, a TLS record) and acknowledgements. tshark reads
/// them as RDPUDP and nDPI names the flow RDP by its content; each side acknowledges the sequence number the other's
/// data carried (the client's data e65f846d, the server's next snSourceAck e65f846d).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RdpUdpMidstreamTests
{
    private const long T0 = 1_700_000_000_000_000_000;
    private static readonly IpAddr Client = IpAddr.FromV4(0x0A082564), Server = IpAddr.FromV4(0x0A640257);

    // ndpi-rdp2.pcap's frame 8 cut to its record's header and 5 bytes: the server's data datagram, snCoded 10976034,
    // acknowledging the client's e65f846d.
    private static readonly byte[] ServerData = Hex("e65f846d 00c8 000c 0001 0100 10976034 10976034 1403030001 01");
    // Frame 9 so: the client's, snSourceAck 10976034 (the server's data above), snCoded e65f846e.
    private static readonly byte[] ClientData = Hex("10976034 0400 000c 0001 0100 e65f846e e65f846e 1703030005 0000000000");
    // Frame 13: the client's acknowledgement alone (ACK and ACKDELAYED), snSourceAck 10976037.
    private static readonly byte[] ClientAck = Hex("10976037 03ff 0404 0001 0400");
    // Lossy mode: a DTLS 1.2 record (13-byte header) behind the source payload header.
    private static readonly byte[] ServerDtlsData = Hex("e65f846d 00c8 000c 0001 0100 10976034 10976034 17fefd 0001 000000000001 0003 aabbcc");

    [Fact]
    public void AnAcknowledgementOfTheOthersDataNamesTheFlow()
    {
        // Was NoMatch at the first datagram: only a SYN or SYN+ACK was read, so the flow stayed unlabelled.
        var (result, detail) = Converse(new RdpUdpInspector(), false, 3389, (false, ServerData), (true, ClientData));
        Assert.Equal((InspectResult.Match, "reliable; midstream"), (result, detail));
        // An acknowledgement a few numbers on (the server sent more meanwhile) still names it.
        Assert.Equal(InspectResult.Match, Converse(new RdpUdpInspector(), false, 3389, (false, ServerData), (true, ClientAck)).Result);
        Assert.Equal((InspectResult.Match, "lossy; midstream"),
            Converse(new RdpUdpInspector(), false, 3389, (false, ServerDtlsData), (true, ClientData)));
    }

    [Fact]
    public void DatagramsThatDoNotAcknowledgeEachOtherAreNoEvidence()
    {
        // Data of one side alone, and an acknowledgement of a number the other side never sent, wait and do not claim.
        Assert.Equal(InspectResult.NeedMore, Converse(new RdpUdpInspector(), false, 3389, (false, ServerData), (false, ServerData)).Result);
        var farAck = (byte[])ClientData.Clone();
        farAck[0] = 0x20;
        Assert.Equal(InspectResult.NeedMore, Converse(new RdpUdpInspector(), false, 3389, (false, ServerData), (true, farAck)).Result);
        // A data datagram whose payload is no TLS or DTLS record is no RDPEUDP's.
        var noRecord = (byte[])ServerData.Clone();
        noRecord[20] = 0x42;
        Assert.Equal(InspectResult.NoMatch, Converse(new RdpUdpInspector(), false, 3389, (false, noRecord)).Result);
        // SYN set, or a bit no datagram after the handshake sets, is not read so.
        var withCorrelation = (byte[])ServerData.Clone();
        withCorrelation[6] = 0x08;
        Assert.Equal(InspectResult.NoMatch, Converse(new RdpUdpInspector(), false, 3389, (false, withCorrelation)).Result);
    }

    [Fact]
    public void TheEngineLabelsAFlowJoinedAfterTheHandshake()
    {
        // Was unlabelled, as ndpi-rdp2.pcap's flow was: the server's data first, then the client's answer.
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        SendUdp(table, T0, Client, 51652, Server, 3389, Hex("10976033 0400 000c 0001 0000 e65f846d e65f846d 1603030005 0000000000"));
        SendUdp(table, T0 + 1, Server, 3389, Client, 51652, ServerData);
        table.Flush();
        var flow = Assert.Single(collector.Flows);
        Assert.Equal((AppLabel.RdpUdp, "reliable; midstream"), (flow.App, flow.AppDetail?.ToString()));
    }
}
