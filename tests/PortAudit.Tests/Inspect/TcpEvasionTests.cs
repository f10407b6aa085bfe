using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// What an attacker who knows the checks does to the TCP stream under a DCE/RPC call (the evasions of Metasploit's TCP
/// and DCERPC options, and of Ptacek and Newsham's insertion), through the flow table and the engine as a capture goes:
/// each must leave the call read, or say that it could not be.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TcpEvasionTests
{
    private const uint ClientIsn = 1000, ServerIsn = 5000;
    private static readonly IpAddr Client = IpAddr.FromV4(0xC0000201), Server = IpAddr.FromV4(0xC0000202);
    private static readonly Guid Drsuapi = new("e3514235-4b06-11d1-ab04-00c04fc2dcd2");
    private static readonly Guid Netlogon = new("12345678-1234-abcd-ef00-01234567cffb");
    private static readonly Guid SystemActivator = new("000001a0-0000-0000-c000-000000000046");

    private static readonly byte[] DcSync = [.. RpcCallPdus.Bind([(0, Drsuapi, 4)]), .. RpcCallPdus.Request(0, 3)];

    // The same length as DcSync, harmless: what an insertion puts where the call is.
    private static readonly byte[] Harmless = [.. RpcCallPdus.Bind([(0, Netlogon, 1)]), .. RpcCallPdus.Request(0, 4)];

    private sealed class Wire
    {
        private readonly FlowTable _table;
        private readonly FlowCollector _collector = new();
        private readonly ushort _port;
        private long _time = 1_700_000_000_000_000_000;

        public Wire(ushort port, bool handshake = true)
        {
            _port = port;
            _table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), _collector);
            if (!handshake) return;
            Syn();
            SynAck(ClientIsn + 1);
        }

        public Wire Syn(byte[]? data = null)
        {
            SendTcp(_table, _time++, Client, 50000, Server, _port, ClientIsn, TcpFlags.Syn, data ?? []);
            return this;
        }

        public Wire SynAck(uint ack)
        {
            SendTcp(_table, _time++, Server, _port, Client, 50000, ServerIsn, TcpFlags.Syn | TcpFlags.Ack, [], ack);
            return this;
        }

        /// <summary>Client bytes at <paramref name="offset"/> of its stream.</summary>
        public Wire At(int offset, byte[] data, TcpFlags flags = TcpFlags.Ack | TcpFlags.Psh, ushort urgent = 0)
        {
            SendTcp(_table, _time++, Client, 50000, Server, _port, ClientIsn + 1 + (uint)offset, flags, data, ServerIsn + 1, urgent);
            return this;
        }

        public Wire Pieces(byte[] data, int size)
        {
            for (int at = 0; at < data.Length; at += size) At(at, data[at..Math.Min(data.Length, at + size)]);
            return this;
        }

        public Flow Flow()
        {
            _table.Flush();
            return Assert.Single(_collector.Flows);
        }
    }

    private static string Calls(Flow flow) =>
        string.Join("; ", flow.RpcCalls?.Bindings.Select(b => $"{b.Name} {string.Join(",", b.Opnums)}{(b.CallsUnseen ? "?" : "")}") ?? []);

    [Fact]
    public void BytesSentOneAtATimeOrRetransmittedAreReadAsFarAsBytesSentWhole()
    {
        // TCP::max_send_size=1 on port 135, with nothing announced: ten one-byte segments used to end the inspection
        // before the sixteen bytes of a PDU header. Retransmissions of the first byte count for nothing either.
        byte[] activation = [.. RpcCallPdus.Bind([(0, SystemActivator, 0)]), .. RpcCallPdus.Request(0, 4)];
        var tiny = new Wire(135).Pieces(activation, 1).Flow();
        Assert.Equal((AppLabel.DceRpc, "ISystemActivator 4"), (tiny.App, Calls(tiny)));

        var wire = new Wire(135).At(0, activation[..1]);
        for (int i = 0; i < 12; i++) wire.At(0, activation[..1]);
        var retransmitted = wire.At(1, activation[1..]).Flow();
        Assert.Equal((AppLabel.DceRpc, "ISystemActivator 4"), (retransmitted.App, Calls(retransmitted)));
    }

    [Fact]
    public void ASegmentPastTheInspectorsLimitIsKeptWholeForTheFollower()
    {
        // A receive offload merged the bind, a 5 KB request and DCSync into one segment: the bytes past the 4 KiB the
        // inspectors look at used to be dropped, and the follower lost its framing.
        var padded = RpcCallPdus.Request(0, 12).Concat(new byte[5000]).ToArray();
        BitConverter.GetBytes((ushort)padded.Length).CopyTo(padded, 8);
        var flow = new Wire(49670).At(0, [.. RpcCallPdus.Bind([(0, Drsuapi, 4)]), .. padded, .. RpcCallPdus.Request(0, 3)]).Flow();
        Assert.Equal("DRSUAPI 12,3", Calls(flow));
    }

    [Fact]
    public void DataBeforeTheHandshakeOrWithoutAckIsNotWhatTheServerReads()
    {
        // A segment without ACK, before the server's SYN-ACK: the server drops it, and reads the real bytes sent after.
        var flow = new Wire(49670, handshake: false).Syn().At(0, Harmless, TcpFlags.Psh).SynAck(ClientIsn + 1).At(0, DcSync).Flow();
        Assert.Equal("DRSUAPI 3", Calls(flow));
    }

    [Fact]
    public void DataInTheSynIsReadOnlyWhenTheSynAckTakesIt()
    {
        // TCP Fast Open: the SYN-ACK acknowledges the SYN's data or not. Not taken, the client sends again what counts.
        var refused = new Wire(49670, handshake: false).Syn(Harmless).SynAck(ClientIsn + 1).At(0, DcSync).Flow();
        Assert.Equal("DRSUAPI 3", Calls(refused));
        var taken = new Wire(49670, handshake: false).Syn(DcSync).SynAck(ClientIsn + 1 + (uint)DcSync.Length).Flow();
        Assert.Equal("DRSUAPI 3", Calls(taken));
    }

    [Fact]
    public void ARetransmissionWithOtherBytesMarksTheFlowAndItsCallsUnseen()
    {
        // Insertion (a bad checksum, a short TTL): the capture sees a harmless request the server never got, then the
        // real one at the same place. First copy kept, the disagreement marked: the audit cannot clear the call.
        var bind = RpcCallPdus.Bind([(0, Drsuapi, 4)]);
        var flow = new Wire(49670).At(0, bind).At(bind.Length, RpcCallPdus.Request(0, 12)).At(bind.Length, RpcCallPdus.Request(0, 3)).Flow();
        Assert.Equal(FlowWeakness.TcpOverlap, flow.Weakness & FlowWeakness.TcpOverlap);
        Assert.Equal("DRSUAPI 12?", Calls(flow));
        Assert.Equal("TCP retransmissions whose bytes differ", flow.RpcCalls!.Uninspectable);
    }

    [Fact]
    public void AKeepAliveProbesGarbageByteIsNoOverlap()
    {
        // BSD and Windows probe an idle connection with one garbage byte at the sequence number before the next: a
        // long-lived SMB or RPC connection is full of them, and each was read as a retransmission with other bytes.
        byte probe = (byte)~DcSync[^1];
        var flow = new Wire(49670).At(0, DcSync).At(DcSync.Length - 1, [probe]).At(DcSync.Length - 1, [probe]).Flow();
        Assert.Equal(FlowWeakness.None, flow.Weakness);
        Assert.Equal("DRSUAPI 3", Calls(flow));
    }

    [Fact]
    public void LinkPaddingCountedAsDataIsNotTheStreamsFirstBytes()
    {
        // A pure ACK whose IP length takes in the 6 zero bytes of a 60-byte Ethernet frame's padding, then the real bytes at
        // the same place (base.pcap frames 30472-30486): the zeros were read first and the flow marked tcp-overlap.
        var flow = new Wire(49670).At(0, new byte[6], TcpFlags.Ack).At(0, DcSync).Flow();
        Assert.Equal(FlowWeakness.None, flow.Weakness);
        Assert.Equal((AppLabel.DceRpc, "DRSUAPI 3"), (flow.App, Calls(flow)));
    }

    [Fact]
    public void ZerosSentWithPushAreStillData()
    {
        var flow = new Wire(49670).At(0, new byte[6]).At(0, DcSync).Flow();
        Assert.Equal(FlowWeakness.TcpOverlap, flow.Weakness);
    }

    [Fact]
    public void TwoBytesBackWithOtherBytesIsStillAnOverlap()
    {
        var flow = new Wire(49670).At(0, DcSync).At(DcSync.Length - 2, [(byte)~DcSync[^2], DcSync[^1]]).Flow();
        Assert.Equal(FlowWeakness.TcpOverlap, flow.Weakness);
    }

    [Fact]
    public void AnUrgentByteIsLeftOutAsTheServersSocketLeavesItOut()
    {
        // One byte more inside the bind, sent as urgent data: the server's socket takes it out of band and reads DCSync;
        // read in band, it shifted the first context's UUID (an unknown interface) and broke the framing after it.
        byte[] bytes = [.. DcSync[..30], 0x99, .. DcSync[30..]];
        var flow = new Wire(49670).At(0, bytes, TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Urg, urgent: 31).Flow();
        Assert.Equal(("DRSUAPI", "DRSUAPI 3"), (flow.DceRpc?.Name, Calls(flow)));
        Assert.Equal(FlowWeakness.TcpUrgent, flow.Weakness);
    }

    [Fact]
    public void ReorderingPastWhatIsHeldSaysTheCallsWereNotRead()
    {
        // Segments sent last first: a few wait for the gap to fill; past what is held the stream has a hole for good.
        var bind = RpcCallPdus.Bind([(0, Drsuapi, 4)]);
        var request = RpcCallPdus.Request(0, 3).Concat(new byte[4000]).ToArray();
        BitConverter.GetBytes((ushort)request.Length).CopyTo(request, 8);
        var wire = new Wire(49670).At(0, bind);
        var pieces = request.Chunk(100).Select((piece, i) => (Offset: bind.Length + i * 100, Piece: piece)).ToList();
        foreach (var (offset, piece) in Enumerable.Reverse(pieces).Take(6)) wire.At(offset, piece);
        Assert.Equal("DRSUAPI 3", Calls(new Wire(49670).At(0, bind).At(bind.Length + 600, request[600..700]).At(bind.Length, request[..600]).Flow()));
        foreach (var (offset, piece) in Enumerable.Reverse(pieces).Skip(6)) wire.At(offset, piece);
        var flow = wire.Flow();
        Assert.Equal("DRSUAPI ?", Calls(flow));
        Assert.StartsWith("a gap in the TCP stream", flow.RpcCalls!.Uninspectable);
    }

    [Fact]
    public void BytesThatAreNoDceRpcOnAPortTheMapperNamedAreWhatTheySay()
    {
        // A process that registered an endpoint, or a tunnel on the port a mapper named: DNS there is DNS, not DCE/RPC.
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        long t = 1_700_000_000_000_000_000;
        var request = DceRpcPdus.Connectionless(0, RpcInterfaces.EndpointMapper, EpmResponse.Map, new byte[40]);
        var answer = DceRpcPdus.Connectionless(2, RpcInterfaces.EndpointMapper, EpmResponse.Map,
            DceRpcPdus.EptMapResponse(DceRpcPdus.Tower(Netlogon, 1, 49668, 0xC0000202)));
        SendUdp(table, t, Client, 50000, Server, 135, request);
        SendUdp(table, t + 1, Server, 135, Client, 50000, answer);
        SendTcp(table, t + 2, Client, 50001, Server, 49668, ClientIsn, TcpFlags.Syn, []);
        SendTcp(table, t + 3, Server, 49668, Client, 50001, ServerIsn, TcpFlags.Syn | TcpFlags.Ack, [], ClientIsn + 1);
        byte[] query = Convert.FromHexString("0024" + "1234010000010000000000000565786669" + "6c046576696c076578616d706c650000010001");
        SendTcp(table, t + 4, Client, 50001, Server, 49668, ClientIsn + 1, TcpFlags.Ack | TcpFlags.Psh, query, ServerIsn + 1);
        table.Flush();
        var flow = collector.Flows.Single(f => f.ServerPort == 49668);
        Assert.Equal((AppLabel.Dns, (DceRpcFacts?)null, true), (flow.App, flow.DceRpc, flow.AnnouncementRefuted));
    }
}
