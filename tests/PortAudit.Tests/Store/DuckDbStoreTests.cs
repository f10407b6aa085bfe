using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Sources.Files;
using PortAudit.Store;
using PortAudit.Tests.Audit;

namespace PortAudit.Tests.Store;

/// <summary>
/// The embedded store in process: its table is the one column description typed for DuckDB, and an audit's sensors
/// and window select the flows they select from PostgreSQL.
/// </summary>
[Trait(Tier.Name, Tier.Store)]
public sealed class DuckDbStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("portaudit-duckdb-").FullName;
    private readonly List<string> _notices = [];
    private TestStore? _store;

    [Fact]
    public void The_duckdb_table_has_every_store_column_in_order_typed_for_duckdb_and_the_identity_index()
    {
        _store = TestStore.Start("duckdb", _root);
        Assert.Equal(StoreSchema.Version, _store.Store.Migrate());

        string columns = _store.Scalar("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'portaudit' AND table_name = 'flows'");
        // Each version adds its columns after the table's: in COPY order within a version.
        Assert.Equal(string.Join(", ", FlowColumns.All.OrderBy(c => c.Since).Select(c => $"{c.Name} {c.DuckDbType.Replace("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE")}")), columns);
        // Version 6's identity (with the first frame) under a name of its own; version 2's is gone.
        string identity = _store.Scalar("SELECT string_agg(sql, '; ') FROM duckdb_indexes() WHERE table_name = 'flows'");
        Assert.StartsWith("CREATE UNIQUE INDEX flows_identity_frame", identity);
        Assert.Matches(string.Join(@"\W+", FlowColumns.IdentityWithFrame) + @"\W*\);?$", identity);
        Assert.Equal(StoreSchema.Version.ToString(), _store.Scalar("SELECT max(version) FROM portaudit.schema_version"));
    }

    [Fact]
    public void A_file_of_version_2_takes_the_tunnel_column_and_keeps_its_rows_and_identity()
    {
        string file = Path.Combine(_root, "v2.duckdb");
        using var connection = new DuckDB.NET.Data.DuckDBConnection($"DataSource={file}");
        connection.Open();
        // The file an earlier build made: versions 1 and 2 recorded, one flow stored.
        DuckDbSchema.Execute(connection, """
            CREATE SCHEMA portaudit;
            CREATE TABLE portaudit.schema_version (version INTEGER PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now(), tool VARCHAR NOT NULL);
            INSERT INTO portaudit.schema_version (version, tool) VALUES (1, 'old'), (2, 'old');
            """);
        DuckDbSchema.Execute(connection, DuckDbSchema.Migration(1) + DuckDbSchema.Migration(2));
        DuckDbSchema.Execute(connection, "INSERT INTO portaudit.flows (sensor, input, id, start_ns, record_ordinal) VALUES ('edge', 'a.pcap', 1, 5, 0)");

        Assert.Equal(StoreSchema.Version - 2, DuckDbSchema.Migrate(connection, file));

        using var read = connection.CreateCommand();
        read.CommandText = "SELECT count(*), count(tunnel), (SELECT max(version) FROM portaudit.schema_version) FROM portaudit.flows";
        using var row = read.ExecuteReader();
        Assert.True(row.Read());
        Assert.Equal((1L, 0L, StoreSchema.Version), (row.GetInt64(0), row.GetInt64(1), row.GetInt32(2)));
        using var index = connection.CreateCommand();
        index.CommandText = "SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'flows_identity_frame'";
        Assert.Equal(1L, Convert.ToInt64(index.ExecuteScalar()));
    }

    [Theory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void A_sensor_and_a_window_select_the_flows_that_start_in_it(string engine)
    {
        var (capture, context) = LabStore(engine, "edge", "core");
        var starts = SharedCaptureAuditTests.Judge(context, CaptureFileSource.Of([capture])).Flows.Select(f => f.Flow.StartNs).Order().ToList();
        // A window from the third flow's start (to the microsecond) to the last one's: the last is left out.
        var since = DateTimeOffset.UnixEpoch.AddTicks(starts[2] / 1000 * 10);
        var until = DateTimeOffset.UnixEpoch.AddTicks(starts[^1] / 1000 * 10);
        int expected = starts.Count(s => s / 1000 * 1000 >= starts[2] / 1000 * 1000 && s / 1000 * 1000 < starts[^1] / 1000 * 1000);

        var sources = _store.Store.OpenSources(new StoreQuery { Sensors = ["edge"], Since = since, Until = until });
        var read = SharedCaptureAuditTests.Judge(context, sources).Flows;

        Assert.Equal([$"edge:{capture}"], sources.Select(s => s.Name));
        Assert.InRange(expected, 2, starts.Count - 2);
        Assert.Equal(expected, read.Count);
        Assert.All(read, f => Assert.InRange(f.Flow.StartNs, starts[2] / 1000 * 1000, starts[^1] / 1000 * 1000 - 1));
        Assert.Equal(2, _store.Store.OpenSources(new StoreQuery()).Count);
        Assert.Equal([("core", (long)starts.Count), ("edge", starts.Count)], _store.Store.Status().FlowsBySensor);
        Assert.Empty(_notices);
    }

    [Fact]
    public void Parquet_files_of_the_stores_columns_read_through_a_relation_give_the_stores_flows()
    {
        var (_, context) = LabStore("duckdb", "edge");
        string lake = Path.Combine(_root, "lake");
        using (var connection = new DuckDB.NET.Data.DuckDBConnection($"DataSource={Path.Combine(_root, "flows.duckdb")}"))
        {
            connection.Open();
            using var copy = connection.CreateCommand();
            copy.CommandText = $"COPY portaudit.flows TO '{lake}' (FORMAT parquet, PARTITION_BY (sensor))";
            copy.ExecuteNonQuery();
        }

        var files = DuckDbRelation.Files("lake/", $"read_parquet('{lake}/**/*.parquet', hive_partitioning = true)");
        var fromFiles = SharedCaptureAuditTests.Judge(context, DuckDbFlowSource.Open(files, new StoreQuery { Sensors = ["edge"] }));
        var fromStore = SharedCaptureAuditTests.Judge(context, _store.Store.OpenSources(new StoreQuery()));

        Assert.True(Directory.Exists(Path.Combine(lake, "sensor=edge")));
        Assert.Empty(fromFiles.Summary.Errors);
        Assert.Equal(16, fromFiles.Flows.Count);
        Assert.Equal(fromStore.Flows.Select(Describe), fromFiles.Flows.Select(Describe));
    }

    [Theory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void A_tunnelled_flow_from_the_store_names_its_tunnel_as_the_audit_of_the_capture_does(string engine)
    {
        // The security review's RDP in 6in4 and SMB in VXLAN: the audit of the capture names each finding's tunnel by its
        // outer ends ("ipv6 203.0.113.55 → 10.40.101.21"), the audit from the store gave its Community ID only.
        _store = TestStore.Start(engine, _root);
        var catalog = PortAudit.Tests.Scenarios.ScenarioAudit.RepositoryCatalog;
        var context = AuditContext.Create(catalog,
            InventoryLoader.Load(SharedData.InRepository("tests/PortAudit.Tests/Scenarios/Inventories/security-review.yaml"), catalog));
        var fromCapture = PortAudit.Tests.Scenarios.ScenarioAudit.WithCaptures(PortAudit.Tests.Scenarios.SecurityReview.Build(), paths =>
        {
            StoreRuns.Ingest(_store.Store, _root, "edge", CaptureFileSource.Of(paths), _notices);
            return SharedCaptureAuditTests.Audit(context, CaptureFileSource.Of(paths)).Report;
        });
        var fromStore = SharedCaptureAuditTests.Audit(context, _store.Store.OpenSources(new StoreQuery())).Report;

        var tunnelled = PortAudit.Tests.Sources.Records.ParquetRecordTests.Tunnelled(fromCapture);
        Assert.Equal(2, tunnelled.Length);
        Assert.Contains(tunnelled, f => f.Contains(" | ipv6 203.0.113.55 → 10.40.101.21 | ", StringComparison.Ordinal));
        Assert.Equal(tunnelled, PortAudit.Tests.Sources.Records.ParquetRecordTests.Tunnelled(fromStore));
        Assert.Empty(_notices);
    }

    [Theory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void A_malformed_tunnel_outer_fails_the_read_naming_the_row_the_column_and_the_value(string engine)
    {
        // The read failed naming the column and the value alone: which of an input's rows held it, the user had to search.
        var (capture, context) = LabStore(engine, "edge");
        // The third row the reader reads, made a flow in a tunnel whose outer ends lack their ports.
        string third = $"SELECT {{0}} FROM portaudit.flows ORDER BY {FlowColumns.ReadOrder} LIMIT 1 OFFSET 2";
        string startNs = _store.Scalar(string.Format(third, "start_ns")), firstFrame = _store.Scalar(string.Format(third, "first_frame"));
        _store.Execute("UPDATE portaudit.flows SET tunnel = '1:6sp/TrBXe72cTiJHrODZKVOgK3E=', tunnel_outer = 'udp 10.0.0.1 10.0.0.2' " +
                       $"WHERE start_ns = {startNs} AND first_frame = {firstFrame}");

        var (flows, _, summary) = SharedCaptureAuditTests.Judge(context, _store.Store.OpenSources(new StoreQuery()));

        var error = Assert.IsType<StoreException>(Assert.Single(summary.Errors));
        Assert.Equal($"store {_store.Store.Display}, edge:{capture}: row 3 (start_ns {startNs}): tunnel_outer 'udp 10.0.0.1 10.0.0.2' " +
                     "is not a tunnel's outer ends (udp 192.0.2.1 49840 192.0.2.2 4789)", error.Message);
        Assert.Equal(2, flows.Count);
    }

    // A store of engine holding the lab capture's flows as each of sensors wrote them, and the lab's audit context.
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_store))]
    private (string Capture, AuditContext Context) LabStore(string engine, params string[] sensors)
    {
        _store = TestStore.Start(engine, _root);
        string capture = SharedData.InRepository("captures/lab.pcapng");
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        foreach (string sensor in sensors) StoreRuns.Ingest(_store.Store, _root, sensor, CaptureFileSource.Of([capture]), _notices);
        return (capture, context);
    }

    private static string Describe((PortAudit.Flows.Flow Flow, FlowVerdict Verdict) f) =>
        $"{f.Flow.Client}:{f.Flow.ClientPort} > {f.Flow.Server}:{f.Flow.ServerPort} {f.Flow.StartNs} {f.Flow.State} {f.Flow.App} [{f.Flow.AppDetail}] {f.Verdict.Verdict}";

    public void Dispose()
    {
        _store?.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
