using System.Text;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;
using PortAudit.Sources.Files;

namespace PortAudit.Tests.Pipeline;

/// <summary>
/// A run split over shards gives the flows of one table, in the same order, with the same ids: the records written are
/// byte for byte those of a run with one worker.
/// </summary>
[Trait("Tier", "unit")]
public sealed class ShardedRunTests
{
    private static string Records(int workers, params string[] paths)
    {
        var output = new MemoryStream();
        var writer = FlowRecordWriters.Create("json", output, PortAudit.Cli.ConsoleTables.For(toStandardOutput: false));
        var run = new TrafficRun(new FlowTableOptions { Workers = workers, InitialFlowCapacity = 256 }, new FlowRecordObserver(writer));
        run.Read(CaptureFileSource.Of(paths));
        writer.Complete();
        Assert.Empty(run.Summary.Errors);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    // Many host pairs, endpoint-mapper answers and the RPC they announce, ICMP errors, fragments, SIP.
    private static readonly string[] Captures =
    [
        "dcerpc.pcap", "zeek-dce-rpc-cs_window7-join_stream092.pcap", "zeek-icmp-icmp-destunreach-ip.pcap",
        "dns_fragmented.pcap", "sip.pcap", "kerberos-login.pcap",
    ];

    [SharedDataFact("captures")]
    public void SplitRunsWriteTheRecordsOfOneTable()
    {
        foreach (var capture in Captures)
        {
            string path = SharedData.Path("captures/" + capture)!;
            string one = Records(1, path);
            Assert.NotEmpty(one);
            Assert.True(one == Records(2, path), $"{capture}: two workers");
            Assert.True(one == Records(5, path), $"{capture}: five workers");
        }
    }

    [SharedDataFact("bench/base.pcap")]
    public void TheBenchCaptureSplitFourWaysWritesTheRecordsOfOneTable()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        string one = Records(1, path);
        string four = Records(4, path);
        Assert.True(one.Length > 1_000_000, "the bench capture holds thousands of flows");
        Assert.Equal(one, four);
    }

    [SharedDataFact("captures/dcerpc.pcap")]
    public void IdsStayUniqueAcrossInputs()
    {
        string path = SharedData.Path("captures/dcerpc.pcap")!;
        var ids = Records(2, path, path).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Records(1, path, path), Records(2, path, path));
    }

    [SharedDataFact("captures/dcerpc.pcap")]
    public void AConsumerThatFailsStopsTheSplitRunWithItsError()
    {
        var run = new TrafficRun(new FlowTableOptions { Workers = 3 }, new Failing());
        var read = Task.Run(() => run.Read(CaptureFileSource.Of([SharedData.Path("captures/dcerpc.pcap")!])));
        var error = Assert.Throws<AggregateException>(() => read.Wait(TimeSpan.FromSeconds(30))).InnerException;
        Assert.Equal("consumer failed", Assert.IsType<InvalidOperationException>(error).Message);
    }

    private sealed class Failing : IFlowObserver
    {
        public bool ReadsPackets => false;

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow) => throw new InvalidOperationException("consumer failed");
    }
}
