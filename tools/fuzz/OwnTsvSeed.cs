using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Report.Records;

namespace PortAudit.Fuzz;

/// <summary>
/// A seed of our own TSV (`flows -f tsv`), which the Zeek TSV reader reads with the columns an audit of the file judges
/// by (sides, weakness, announcement, the DCE/RPC call log, the ICMP errors): ../shared's conn.logs have none of them, so
/// afl would rarely build those columns' readers from them. Written by the TSV writer itself, so it follows its format.
/// </summary>
public static class OwnTsvSeed
{
    /// <summary>The seed: a DCE/RPC flow with its interfaces, operations and an ICMP error, and a plain UDP flow.</summary>
    public static FuzzSeed Flows()
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
        using var output = new MemoryStream();
        using (var writer = new TsvFlowWriter(output))
        {
            writer.Write(rpc);
            writer.Write(dns);
            writer.Complete();
        }
        return new FuzzSeed("flows.tsv", output.ToArray());
    }
}
