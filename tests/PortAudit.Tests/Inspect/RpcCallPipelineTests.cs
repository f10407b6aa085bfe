using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

/// <summary>Built conversations through the flow table and the inspection engine, as a capture would go.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class RpcCallPipelineTests
{
    private static readonly IpAddr Client = IpAddr.FromV4(0xC0000201), Server = IpAddr.FromV4(0xC0000202);
    private static readonly Guid SystemActivator = new("000001a0-0000-0000-c000-000000000046");
    private static readonly Guid Netlogon = new("12345678-1234-abcd-ef00-01234567cffb");

    private static Flow Converse(ushort port, params byte[][] clientPdus)
    {
        var engine = new InspectionEngine();
        var collector = new PortAudit.Tests.Flows.FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), engine, collector);
        long t = 1_700_000_000_000_000_000;
        SendTcp(table, t, Client, 50000, Server, port, 1000, TcpFlags.Syn, []);
        SendTcp(table, t + 1, Server, port, Client, 50000, 5000, TcpFlags.Syn | TcpFlags.Ack, []);
        uint sequence = 1001;
        foreach (var pdu in clientPdus)
        {
            SendTcp(table, t += 10, Client, 50000, Server, port, sequence, TcpFlags.Ack | TcpFlags.Psh, pdu);
            sequence += (uint)pdu.Length;
        }
        table.Flush();
        return Assert.Single(collector.Flows);
    }

    [Fact]
    public void TheMapperFlowAlsoRecordsAnActivatorBoundByAlterContext()
    {
        var flow = Converse(135,
            DceRpcPdus.Bind(RpcInterfaces.EndpointMapper, 3),
            DceRpcPdus.Request(EpmResponse.Map, 2, new byte[40]),
            RpcCallPdus.Bind([(1, SystemActivator, 0)], type: 14),
            RpcCallPdus.Request(1, 4));
        // The flow stays the mapper's in its record; the log holds both interfaces.
        Assert.Equal("EPM", flow.DceRpc?.Name);
        Assert.Equal([("EPM", "bind", "3"), ("ISystemActivator", "alter_context", "4")],
            flow.RpcCalls!.Bindings.Select(b => (b.Name!, b.Via, string.Join(",", b.Opnums))));
    }

    [Fact]
    public void ADynamicPortFlowRecordsEveryContextOfItsBind()
    {
        var samr = new Guid("12345778-1234-abcd-ef00-0123456789ac");
        var flow = Converse(49668,
            RpcCallPdus.Bind([(0, Netlogon, 1), (1, samr, 1)]),
            RpcCallPdus.Request(0, 4),
            RpcCallPdus.Request(0, 26),
            RpcCallPdus.Request(1, 64));
        // The record keeps the first context, as before.
        Assert.Equal("NETLOGON", flow.DceRpc?.Name);
        Assert.Equal([("NETLOGON", "4,26"), ("SAMR", "64")], flow.RpcCalls!.Bindings.Select(b => (b.Name!, string.Join(",", b.Opnums))));
    }

    [Fact]
    public void MutatedConversationsNeverThrow()
    {
        var random = new Random(20261124);
        var pdus = new[]
        {
            RpcCallPdus.Bind([(0, Netlogon, 1), (1, SystemActivator, 0)]),
            RpcCallPdus.Request(0, 4),
            RpcCallPdus.Bind([(2, Netlogon, 1)], type: 14, auth: RpcCallPdus.NtlmAuthenticate(24)),
            RpcCallPdus.Auth3(RpcCallPdus.NtlmAuthenticate(24)),
            RpcCallPdus.Request(1, 3),
        };
        for (int i = 0; i < 300; i++)
        {
            var mutated = pdus.Select(p =>
            {
                var copy = (byte[])p.Clone();
                // Frag and auth lengths, context counts, ids and transfer counts all lie in turn.
                for (int flips = random.Next(1, 5); flips > 0; flips--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return random.Next(4) == 0 ? copy[..random.Next(copy.Length)] : copy;
            }).ToArray();
            Converse(random.Next(2) == 0 ? (ushort)135 : (ushort)49668, mutated);
        }
    }
}
