using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Report.Records;

namespace PortAudit.Fuzz;

/// <summary>
/// Seeds of our own flow files, the TSV of `flows -f tsv` (which the Zeek TSV reader reads) and flows.parquet, with the
/// columns an audit of the file judges by (sides, weakness, announcement, the DCE/RPC call log, the ICMP errors, the
/// tunnel and its outer ends): ../shared's conn.logs have none of them and ../shared has no Parquet, so afl would rarely
/// build those columns' readers. Written by the writers themselves, so they follow their formats.
/// </summary>
public static class OwnFlowSeeds
{
    /// <summary>The flows as our TSV.</summary>
    public static FuzzSeed Tsv() => Written("flows.tsv", output => new TsvFlowWriter(output));

    /// <summary>The flows as flows.parquet.</summary>
    public static FuzzSeed Parquet() => Written("flows.parquet", output => new ParquetFlowWriter(output));

    private static FuzzSeed Written(string name, Func<Stream, IFlowRecordWriter> create)
    {
        using var output = new MemoryStream();
        using (var writer = create(output))
        {
            foreach (var flow in Flows()) writer.Write(flow);
            writer.Complete();
        }
        return new FuzzSeed(name, output.ToArray());
    }

    // A DCE/RPC flow with its interfaces, operations and an ICMP error, a UDP flow, and an SMB flow inside VXLAN.
    private static Flow[] Flows()
    {
        var rpc = Flow.FromRecord(1, new FlowRecord
        {
            Protocol = IpProtocol.Tcp, Client = IpAddr.Parse("10.0.0.1"), ClientPort = 40000, Server = IpAddr.Parse("10.0.0.2"),
            ServerPort = 49670, StartNs = 1_700_000_000_000_000_000, EndNs = 1_700_000_001_000_000_000, PacketsToServer = 3,
            PacketsToClient = 2, State = FlowState.Established,
            IcmpErrors = new IcmpErrors(2, IpProtocol.Icmp, 3, 13, IpAddr.Parse("10.0.0.254")),
        });
        var calls = new RpcCallLog();
        var drsuapi = calls.Bind(new Guid("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 4, "bind")!;
        drsuapi.Called(0);
        drsuapi.Called(3);
        calls.Bind(new Guid("12345778-1234-abcd-ef00-0123456789ab"), 0, "alter_context")!.Answered(accepted: false);
        var spoolss = calls.Bind(new Guid("12345678-1234-abcd-ef00-0123456789ab"), null, "pipe spoolss")!;
        spoolss.Called(69);
        spoolss.CallsUnseen = true;
        calls.Uninspectable = "a gap in the TCP stream";
        rpc.RpcCalls = calls;
        var dns = Flow.FromRecord(2, new FlowRecord
        {
            Protocol = IpProtocol.Udp, Client = IpAddr.Parse("2001:db8::1"), ClientPort = 40001, Server = IpAddr.Parse("2001:db8::2"),
            ServerPort = 53, StartNs = 1_700_000_002_000_000_000, EndNs = 1_700_000_002_000_000_000, PacketsToServer = 1,
            State = FlowState.Unanswered,
        });
        var smb = Flow.FromRecord(3, new FlowRecord
        {
            Protocol = IpProtocol.Tcp, Client = IpAddr.Parse("172.31.0.5"), ClientPort = 49800, Server = IpAddr.Parse("172.31.0.9"),
            ServerPort = 445, StartNs = 1_700_000_003_000_000_000, EndNs = 1_700_000_003_025_000_000, PacketsToServer = 3,
            PacketsToClient = 2, State = FlowState.Established, Tunnel = "1:6sp/TrBXe72cTiJHrODZKVOgK3E=",
            TunnelOuter = new PacketEnds
            {
                Present = true, Protocol = IpProtocol.Udp, Source = IpAddr.Parse("10.40.101.21"), SourcePort = 49840,
                Destination = IpAddr.Parse("198.51.100.10"), DestinationPort = 4789,
            },
        });
        return [rpc, dns, smb];
    }
}
