using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Store;

namespace PortAudit.Tests.Store;

/// <summary>
/// The flow store against a real PostgreSQL started by the test: sensors writing at once, an audit from the store,
/// re-imports, and a server restart in the middle of an ingest.
/// </summary>
[Trait(Tier.Name, Tier.Store)]
public sealed class StoreTests : IDisposable
{
    private const string Password = "s3cret-never-shown";
    private readonly string _root = Directory.CreateTempSubdirectory("portaudit-store-").FullName;
    private PostgresServer? _server;

    private static readonly string[] Captures =
    [
        SharedData.InRepository("captures/lab.pcapng"), SharedData.InRepository("captures/sip-lab.pcapng"),
        SharedData.Path("captures/dcerpc.pcap") ?? "",
    ];

    private (PostgresServer Server, StoreLocation Store) Server()
    {
        _server = PostgresServer.Start(out _);
        return (_server, StoreLocation.Parse(_server.Url(Password)));
    }

    [PostgresFact("captures/dcerpc.pcap")]
    public void Three_sensors_writing_at_once_then_one_audit_from_the_store_finds_what_one_run_of_the_captures_finds()
    {
        var (server, store) = Server();
        var notices = new List<string>();
        var writers = Captures.Select((capture, i) => Task.Run(() => Ingest(store, $"sensor-{i + 1}", capture, notices))).ToArray();
        Task.WaitAll(writers);
        Assert.All(writers, w => Assert.True(w.Result.Added > 0));

        var fromFiles = Audit("files", CaptureFileSource.Of(Captures));
        var sources = StoreFlowSource.Open(store, new StoreQuery { FetchRows = 7 }); // several fetches per input
        Assert.Equal(["sensor-1", "sensor-2", "sensor-3"], sources.Select(s => s.Sensor));
        var fromStore = Audit("store", sources);

        Assert.NotEmpty(fromFiles.Report.Findings);
        Assert.Equal(Signature(fromFiles.Report), Signature(fromStore.Report));
        Assert.Equal(fromFiles.Report.Summary.Flows, fromStore.Report.Summary.Flows);
        Assert.Equal(fromFiles.Report.Summary.Verdicts.OrderBy(v => v.Key), fromStore.Report.Summary.Verdicts.OrderBy(v => v.Key));
        Assert.Equal(fromFiles.Report.Summary.Coverage, fromStore.Report.Summary.Coverage);
        Assert.Equal(writers.Sum(w => w.Result.Added).ToString(), server.Scalar("SELECT count(*) FROM portaudit.flows"));
        Assert.Empty(fromStore.Traffic.Errors);
        Assert.Empty(notices);
    }

    [PostgresFact]
    public void Importing_the_same_capture_again_adds_nothing_and_a_sensor_filter_and_window_select_flows()
    {
        var (server, store) = Server();
        var first = Ingest(store, "edge", Captures[0], []);
        var again = Ingest(store, "edge", Captures[0], []);
        var other = Ingest(store, "core", Captures[0], []);

        Assert.True(first.Added > 0);
        Assert.Equal(first.Flows, first.Added);
        Assert.Equal(0, again.Added);
        Assert.Equal(first.Flows, other.Added); // identity is per sensor
        Assert.Equal((2 * first.Added).ToString(), server.Scalar("SELECT count(*) FROM portaudit.flows"));
        Assert.Equal(StoreSchema.Version.ToString(), server.Scalar("SELECT max(version) FROM portaudit.schema_version"));
        Assert.Single(StoreFlowSource.Open(store, new StoreQuery { Sensors = ["core"] }));
        Assert.Empty(StoreFlowSource.Open(store, new StoreQuery { Until = DateTimeOffset.UnixEpoch.AddDays(1) }));
    }

    [PostgresFact]
    public void A_restart_of_the_server_during_ingest_loses_no_flow()
    {
        var (server, store) = Server();
        var notices = new List<string>();
        const int Flows = 60_000;
        var settings = new StoreWriterSettings
        {
            Sensor = "restarted", Inputs = ["synthetic"], SpoolPath = Path.Combine(_root, "restart.spool"), BatchFlows = 1_000,
            RetryInterval = TimeSpan.FromMilliseconds(200), ReplayWait = TimeSpan.FromSeconds(60),
        };
        StoreWriteResult result;
        using (var writer = new StoreFlowWriter(store, settings, n => { lock (notices) notices.Add(n); }))
        {
            var run = new TrafficRun(new FlowTableOptions(), writer);
            run.Read([new SyntheticSource(Flows, restartAt: Flows / 3, () => { server.Stop(); Thread.Sleep(500); server.Start(); })]);
            result = writer.Complete();
        }

        Assert.Equal(Flows, result.Flows);
        Assert.Equal(0, result.Spooled);
        Assert.Equal(Flows.ToString(), server.Scalar("SELECT count(*) FROM portaudit.flows WHERE sensor = 'restarted'"));
        Assert.Contains(notices, n => n.Contains("spool") && n.Contains("sent when the store is back"));
        Assert.Contains(notices, n => n.Contains("reachable again"));
        Assert.DoesNotContain(notices, n => n.Contains(Password));
        Assert.False(File.Exists(settings.SpoolPath));
        Assert.True(int.Parse(server.Scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'portaudit.flows'::regclass")) >= 2);
    }

    [PostgresFact]
    public void A_store_down_for_a_whole_run_keeps_the_flows_in_the_spool_and_the_next_run_sends_them()
    {
        var (server, store) = Server();
        server.Stop();
        var notices = new List<string>();
        var down = Ingest(store, "edge", Captures[0], notices, TimeSpan.FromMilliseconds(300));
        Assert.Equal(down.Flows, down.Spooled);
        Assert.True(File.Exists(down.SpoolPath));
        Assert.Contains(notices, n => n.Contains($"127.0.0.1:{server.Port}") && n.Contains("still unreachable"));
        Assert.DoesNotContain(notices, n => n.Contains(Password));

        server.Start();
        var back = Ingest(store, "edge", Captures[1], notices);
        Assert.Equal(down.Flows, back.Replayed);
        Assert.Equal((down.Flows + back.Flows).ToString(), server.Scalar("SELECT count(*) FROM portaudit.flows"));
        Assert.False(File.Exists(down.SpoolPath));
    }

    private StoreWriteResult Ingest(StoreLocation store, string sensor, string capture, List<string> notices, TimeSpan? replayWait = null) =>
        StoreRuns.Ingest(store, _root, sensor, CaptureFileSource.Of([capture]), notices, replayWait);

    private AuditOutcome Audit(string name, IReadOnlyList<IFlowSource> sources)
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        using var run = new AuditRun(context, new AuditSettings { OutputDirectory = Path.Combine(_root, name) }, new FlowTableOptions());
        return run.Run(sources);
    }

    // What a finding says, and which flows it quotes (each run numbers its flows itself: the samples' ends, start and
    // frame, not their ids).
    internal static List<string> Signature(AuditReport report) =>
        report.Findings.Select(f => $"{f.Id} {f.Kind} {f.Rule} {f.Tally.Flows} {f.Tally.FailedFlows} {f.Tally.Bytes} {f.Tally.FirstNs} {f.Tally.LastNs} {f.Severity} [{f.Reason}] [{f.FirstTunnel}] " +
                                    string.Join(", ", f.Samples.Select(s => $"{s.StartNs} {s.Client}:{s.ClientPort} {s.Server}:{s.ServerPort} #{s.Frame} {s.Sides}{(s.TurnedByPorts ? " ^" : "")}")))
            .Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        _server?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Flows that arrive whole, over two days; runs <c>restart</c> once after <c>restartAt</c> of them.</summary>
    private sealed class SyntheticSource(int flows, int restartAt, Action restart) : IFlowSource
    {
        public string Name => "synthetic";

        public void ReadInto(IFlowSink sink, CancellationToken cancel)
        {
            long start = new DateTimeOffset(2026, 11, 20, 23, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
            for (int i = 0; i < flows; i++)
            {
                if (i == restartAt) restart();
                int n = i;
                sink.AddFlow(id => Flow.Restore(id, IpProtocol.Tcp, IpAddr.FromV4((uint)(0x0A00_0000 + n / 1000)), (ushort)(20_000 + n % 1000),
                    IpAddr.FromV4(0x0A01_0001), 443, start + n * 120_000_000L, start + n * 120_000_000L + 1_000_000, FlowState.Established,
                    new FlowCounters(3, 180, 2, 120), default));
            }
        }
    }
}
