using System.Diagnostics;
using System.Globalization;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Store;

// Usage: PortAudit.Bench STORE FLOWS REPO_ROOT   (STORE: a postgresql:// URL or a DuckDB file)
// Ingests FLOWS synthetic flows (lab addresses, a spread of ports and states, over several days) through the store
// writer, then audits the store twice, a fifth of it and all of it, sampling the process's memory: ingest in flows
// per second, and whether the audit's memory stays flat as the store grows.
// Usage: PortAudit.Bench parquet-writers WRITER FLOWS CAPTURE OUT (ParquetWriterBench).
if (args is ["parquet-writers", ..]) return ParquetWriterBench.Run(args[1..]);
if (args.Length != 3) { Console.Error.WriteLine("usage: PortAudit.Bench STORE FLOWS REPO_ROOT"); return 2; }
var store = FlowStores.Parse(args[0]);
long flows = long.Parse(args[1], CultureInfo.InvariantCulture);
string repo = args[2];
var first = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
long spacingNs = 20_000_000; // 50 flows a second: 5M flows span about 28 hours, two day partitions

var clock = Stopwatch.StartNew();
using (var writer = store.OpenWriter(new StoreWriterSettings { Sensor = "bench", Inputs = ["synthetic"], SpoolPath = store.Spools ? Path.GetTempFileName() + ".spool" : null },
           notice => Console.Error.WriteLine($"bench: {notice}")))
{
    new TrafficRun(new FlowTableOptions(), writer).Read([new Synthetic(flows, first.ToUnixTimeMilliseconds() * 1_000_000, spacingNs)]);
    var result = writer.Complete();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ingest: {result.Flows} flows, {result.Added} new in {clock.Elapsed.TotalSeconds:0.0} s = {result.Flows / clock.Elapsed.TotalSeconds:0} flows/s"));
}

var catalog = CatalogLoader.Load(Path.Combine(repo, "rules"));
var context = AuditContext.Create(catalog, InventoryLoader.Load(Path.Combine(repo, "captures/lab.yaml"), catalog));
foreach (double share in new[] { 0.2, 1.0 })
{
    var until = first.AddTicks((long)(flows * share * spacingNs / 100));
    var sources = store.OpenSources(new StoreQuery { Until = until });
    string output = Directory.CreateTempSubdirectory("portaudit-bench-").FullName;
    long peakRss = 0, peakHeap = 0;
    using var sampling = new Timer(_ =>
    {
        peakRss = Math.Max(peakRss, Environment.WorkingSet);
        peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
    }, null, 0, 100);
    clock.Restart();
    using (var run = new AuditRun(context, new AuditSettings { OutputDirectory = output }, new FlowTableOptions()))
    {
        var outcome = run.Run(sources);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"audit of {share:P0}: {outcome.Report.Summary.Flows} flows in {clock.Elapsed.TotalSeconds:0.0} s = {outcome.Report.Summary.Flows / clock.Elapsed.TotalSeconds:0} flows/s, " +
            $"peak RSS {peakRss / 1048576.0:0} MB, peak managed heap {peakHeap / 1048576.0:0} MB, {outcome.Report.Findings.Count} findings"));
    }
    Directory.Delete(output, recursive: true);
}
return 0;

/// <summary>Flows that arrive whole: lab clients and servers, a spread of ports and states.</summary>
internal sealed class Synthetic(long flows, long startNs, long spacingNs) : IFlowSource
{
    private static readonly ushort[] Ports = [5061, 443, 135, 445, 88, 389, 8000, 3389, 53, 5062];

    public string Name => "synthetic";

    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        var server = IpAddr.Parse("10.77.0.10");
        for (long i = 0; i < flows && !cancel.IsCancellationRequested; i++)
        {
            long n = i;
            sink.AddFlow(id => Flow.Restore(id, n % 7 == 0 ? IpProtocol.Udp : IpProtocol.Tcp,
                IpAddr.FromV4((uint)(0x0A4D_0000 + 100 + n % 50)), (ushort)(1024 + n % 60_000), server, Ports[n % Ports.Length],
                startNs + n * spacingNs, startNs + n * spacingNs + 5_000_000,
                n % 11 == 0 ? FlowState.Rejected : FlowState.Established, new FlowCounters(4, 400, 3, 900), default));
        }
    }
}
