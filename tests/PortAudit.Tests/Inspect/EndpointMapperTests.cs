using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class EndpointMapperTests
{
    private static readonly Guid Netlogon = new("12345678-1234-abcd-ef00-01234567cffb");
    private const uint ServerAddress = 0xC0000202;
    private static readonly IpAddr Client = IpAddr.FromV4(0xC0000201), Server = IpAddr.FromV4(ServerAddress);

    public static byte[] NetlogonTower(ushort port) => DceRpcPdus.Tower(Netlogon, 1, port, ServerAddress);

    public static byte[] EptMapResponse(byte[] tower) => DceRpcPdus.EptMapResponse(tower);

    [Fact]
    public void TowerFloorsGiveInterfaceProtocolPortAndAddress()
    {
        Assert.True(EpmTower.TryParse(NetlogonTower(49668), out var tower));
        Assert.Equal(Netlogon, tower.Interface);
        Assert.Equal(IpProtocol.Tcp, tower.Transport);
        Assert.Equal((ushort)49668, tower.Port);
        Assert.Equal(Server, tower.Address);
        Assert.False(tower.Connectionless);
    }

    [Fact]
    public void EptMapResponseYieldsEachTower()
    {
        var towers = new List<EpmTower>();
        EpmResponse.ReadTowers(DceRpcPdus.EptMapResponse(NetlogonTower(49668), NetlogonTower(49669)), EpmResponse.Map, towers);
        Assert.Equal(new ushort[] { 49668, 49669 }, towers.Select(t => t.Port));
    }

    [Fact]
    public void EptLookupResponseYieldsTheTowerOfEachEntry()
    {
        var towers = new List<EpmTower>();
        EpmResponse.ReadTowers(DceRpcPdus.EptLookupResponse(NetlogonTower(49670), NetlogonTower(49671)), EpmResponse.Lookup, towers);
        Assert.Equal(new ushort[] { 49670, 49671 }, towers.Select(t => t.Port));
    }

    [Fact]
    public void AConnectionlessMapperAnswerIsFollowedToo()
    {
        var engine = new InspectionEngine();
        var collector = new PortAudit.Tests.Flows.FlowCollector();
        var collected = collector.Flows;
        var table = new FlowTable(new FlowTableOptions(), engine, collector);
        long t = 1_700_000_000_000_000_000;
        var request = DceRpcPdus.Connectionless(0, RpcInterfaces.EndpointMapper, EpmResponse.Map, new byte[40]);
        var response = DceRpcPdus.Connectionless(2, RpcInterfaces.EndpointMapper, EpmResponse.Map, EptMapResponse(NetlogonTower(49668)));
        SendUdp(table, t, Client, 50000, Server, 135, request);
        SendUdp(table, t + 1, Server, 135, Client, 50000, response);
        SendTcp(table, t + 2, Client, 50001, Server, 49668, 7000, TcpFlags.Syn, Array.Empty<byte>());
        table.Flush();
        Assert.Equal((AppLabel.DceRpc, "EPM"), (collected.Single(f => f.ServerPort == 135).App, collected.Single(f => f.ServerPort == 135).DceRpc?.Name));
        Assert.Equal(RpcEvidence.EndpointMapper, collected.Single(f => f.ServerPort == 49668).DceRpc?.Evidence);
    }

    [Fact]
    public void AMappedPortIsLabelledWithoutABind()
    {
        var (flows, engine) = Replay(TimeSpan.FromSeconds(1));
        var mapped = flows.Single(f => f.ServerPort == 49668);
        Assert.Equal((AppLabel.DceRpc, "NETLOGON", RpcEvidence.EndpointMapper), (mapped.App, mapped.DceRpc?.Name, mapped.DceRpc?.Evidence));
        // The tower named the interface's major version.
        Assert.Equal((ushort?)1, mapped.DceRpc?.MajorVersion);
        var mapping = Assert.Single(engine.Expectations.Mappings);
        Assert.Equal((Server, (ushort)135, Client), (mapping.Mapper, mapping.MapperPort, mapping.Client));
        Assert.Equal(mapped.Id, Assert.Single(mapping.Uses).FlowId);
    }

    [Fact]
    public void AnExpiredMappingLabelsNothing()
    {
        var (flows, _) = Replay(TimeSpan.FromMinutes(6));
        Assert.Null(flows.Single(f => f.ServerPort == 49668).App);
    }

    [Fact]
    public void ABindOfAnotherInterfaceOverridesTheMapping()
    {
        var flow = InspectorHarness.NewFlow(tcp: true, 49668);
        DceRpcLabels.Apply(flow, new DceRpcFacts(Netlogon, 1, null, RpcEvidence.EndpointMapper));
        var result = InspectorHarness.Run(new DceRpcCoInspector(), flow, true, true, DceRpcPdus.Bind(new Guid("12345778-1234-abcd-ef00-0123456789ac"), 1));
        Assert.Equal(InspectResult.Match, result);
        Assert.Equal(("SAMR", RpcEvidence.Bind), (flow.DceRpc?.Name, flow.DceRpc?.Evidence));
    }

    [Fact]
    public void ALookupAnswerOfElevenFragmentsPastTheInspectorsBufferIsReadWhole()
    {
        // 346 entries in fragments of 4,280 bytes (Windows' max_xmit_frag), the answer issue 20 saw unread; with empty
        // annotations they fill 10 fragments where the annotated original took 11.
        var towers = Enumerable.Range(0, 346).Select(i => NetlogonTower((ushort)(49152 + i))).ToArray();
        var fragments = DceRpcPdus.FragmentedResponse(2, DceRpcPdus.EptLookupResponse(towers), 4280);
        Assert.Equal(10, fragments.Length);
        var (_, engine) = Replay(TimeSpan.FromSeconds(1), EpmResponse.Lookup, fragments);
        Assert.Equal(Enumerable.Range(49152, 346).Select(p => (int)p), engine.Expectations.Mappings.Select(m => (int)m.Port));
    }

    // A mapper conversation on 135 (bind EPM, ept_map request, response naming 49668), then a bare SYN to 49668.
    private static (List<Flow>, InspectionEngine) Replay(TimeSpan gap) =>
        Replay(gap, EpmResponse.Map, [DceRpcPdus.Response(2, EptMapResponse(NetlogonTower(49668)))]);

    private static (List<Flow>, InspectionEngine) Replay(TimeSpan gap, ushort opnum, byte[][] answer)
    {
        var engine = new InspectionEngine();
        var collector = new PortAudit.Tests.Flows.FlowCollector();
        var collected = collector.Flows;
        var table = new FlowTable(new FlowTableOptions(), engine, collector);
        long t = 1_700_000_000_000_000_000;
        SendTcp(table, t, Client, 50000, Server, 135, 1000, TcpFlags.Syn, Array.Empty<byte>());
        SendTcp(table, t + 1, Server, 135, Client, 50000, 5000, TcpFlags.Syn | TcpFlags.Ack, Array.Empty<byte>());
        var bind = DceRpcPdus.Bind(RpcInterfaces.EndpointMapper, 3);
        SendTcp(table, t + 2, Client, 50000, Server, 135, 1001, TcpFlags.Ack | TcpFlags.Psh, bind);
        var request = DceRpcPdus.Request(opnum, 2, new byte[40]);
        SendTcp(table, t + 3, Client, 50000, Server, 135, 1001 + (uint)bind.Length, TcpFlags.Ack | TcpFlags.Psh, request);
        uint sequence = 5001;
        foreach (var pdu in answer)
        {
            SendTcp(table, t + 4, Server, 135, Client, 50000, sequence, TcpFlags.Ack | TcpFlags.Psh, pdu);
            sequence += (uint)pdu.Length;
        }
        SendTcp(table, t + 5 + gap.Ticks * 100, Client, 50001, Server, 49668, 7000, TcpFlags.Syn, Array.Empty<byte>());
        table.Flush();
        return (collected, engine);
    }
}
