using DuckDB.NET.Data;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Store;
using PortAudit.Tests.Audit;

namespace PortAudit.Tests.Store;

/// <summary>
/// The lake (<c>--store DIR/</c>): Hive partitions per sensor and UTC day that DuckDB reads as they are, every flow
/// once; files that appear only whole; a sensor's name that cannot leave its partition; partitions not asked for that
/// are never opened.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class LakeTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("portaudit-lake-").FullName + "/";

    private static string Lab => SharedData.InRepository("captures/lab.pcapng");

    [SharedDataFact]
    public void Two_sensors_written_to_a_lake_are_read_by_duckdb_with_hive_partitioning_every_flow_once()
    {
        string shared = SharedData.Path("captures/sv-dcerpc-zerologon.pcap")!;
        var edge = Write("edge", Lab);
        var core = Write("core", shared);

        var counts = Rows($"SELECT sensor, count(*), count(DISTINCT (input, id)) FROM read_parquet('{_lake}**/*.parquet', hive_partitioning = true) GROUP BY sensor ORDER BY sensor");
        Assert.Equal(new object?[][] { ["core", core.Flows, core.Flows], ["edge", edge.Flows, edge.Flows] }, counts);
        Assert.True(edge.Flows >= 10 && core.Flows >= 10, $"{edge.Flows} and {core.Flows} flows");
        // Each flow in the partition of its start's UTC day, with the input it was read from.
        Assert.Equal(0L, Scalar($"SELECT count(*) FROM read_parquet('{_lake}**/*.parquet', hive_partitioning = true) WHERE day <> CAST(timezone('UTC', start) AS DATE)"));
        // Sorted here as DuckDB sorts (by bytes): the two paths' order depends on where the repository is.
        string[] inputs = [Lab, shared];
        Array.Sort(inputs, StringComparer.Ordinal);
        Assert.Equal(inputs.Select(i => new object?[] { i }), Rows($"SELECT DISTINCT input FROM read_parquet('{_lake}**/*.parquet') ORDER BY input"));
    }

    [SharedDataFact]
    public void One_sensor_audited_from_the_lake_gives_the_flows_verdicts_and_findings_of_its_capture()
    {
        string shared = SharedData.Path("captures/sv-dcerpc-zerologon.pcap")!;
        Write("edge", Lab);
        Write("core", shared);

        var fromLake = SharedCaptureAuditTests.Judge(StoreFileAnswerTests.Lab.Value, FlowStores.Parse(_lake).OpenSources(new StoreQuery { Sensors = ["core"] }));
        var fromFile = SharedCaptureAuditTests.Judge(StoreFileAnswerTests.Lab.Value, CaptureFileSource.Of([shared]));

        Assert.Empty(fromLake.Summary.Errors);
        Assert.True(fromFile.Flows.Count >= 10, $"{fromFile.Flows.Count} flows");
        Assert.Equal(StoreFileAnswerTests.Flows(fromFile.Flows), StoreFileAnswerTests.Flows(fromLake.Flows));
        Assert.Equal(StoreTests.Signature(fromFile.Report), StoreTests.Signature(fromLake.Report));
        Assert.NotEmpty(fromFile.Report.Findings);
    }

    [SharedDataFact]
    public void Files_written_before_the_tunnel_column_read_with_none_beside_files_that_have_it()
    {
        var edge = Write("edge", Lab);
        var core = Write("core", SharedData.Path("captures/6in4tunnel.pcap")!);
        // The edge's files as a build before version 3 wrote them: every column but the tunnel.
        foreach (string file in Directory.GetFiles(Path.Combine(_lake, "sensor=edge"), "*.parquet", SearchOption.AllDirectories))
        {
            Rows($"COPY (SELECT * EXCLUDE (tunnel) FROM read_parquet('{file}')) TO '{file}.old' (FORMAT parquet)");
            File.Move(file + ".old", file, overwrite: true);
        }
        var store = FlowStores.Parse(_lake);
        Flow[] Read(params string[] sensors) =>
            SharedCaptureAuditTests.Judge(StoreFileAnswerTests.Lab.Value, store.OpenSources(new StoreQuery { Sensors = sensors })).Flows.Select(f => f.Flow).ToArray();

        // The old files alone, and beside new ones: every flow read, a tunnel only where one was written.
        Assert.Equal(edge.Flows, Read("edge").Length);
        Assert.All(Read("edge"), f => Assert.Null(f.Tunnel));
        var both = Read();
        Assert.Equal(edge.Flows + core.Flows, both.Length);
        Assert.Equal(9, both.Count(f => f.Carried));  // every flow of 6in4tunnel.pcap but the tunnel's own
        var carrier = Assert.Single(both, f => f.Protocol == IpProtocol.Ipv6InIp);
        Assert.All(both.Where(f => f.Carried), f => Assert.Equal(CommunityId.Of(carrier), f.Tunnel!.Id));
    }

    [Fact]
    public void An_ssdp_answer_its_search_announced_is_judged_from_the_lake_as_from_the_file()
    {
        var captures = Directory.CreateTempSubdirectory("portaudit-lake-ssdp-");
        string capture = StoreFileAnswerTests.SsdpAnswerCapture(captures.FullName);
        Write("edge", capture);

        var fromLake = SharedCaptureAuditTests.Judge(StoreFileAnswerTests.Lab.Value, FlowStores.Parse(_lake).OpenSources(new StoreQuery { Sensors = ["edge"] }));
        var fromFile = SharedCaptureAuditTests.Judge(StoreFileAnswerTests.Lab.Value, CaptureFileSource.Of([capture]));

        captures.Delete(recursive: true);

        StoreFileAnswerTests.AssertAnnouncedAnswerUnexpected(fromLake.Flows);
        Assert.Equal(StoreFileAnswerTests.Flows(fromFile.Flows), StoreFileAnswerTests.Flows(fromLake.Flows));
        Assert.Equal(StoreTests.Signature(fromFile.Report), StoreTests.Signature(fromLake.Report));
    }

    [SharedDataFact]
    public void Every_shared_capture_audited_from_the_lake_gives_the_files_flows_verdicts_and_findings()
    {
        var captures = Directory.GetFiles(SharedData.Path("captures")!).Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng")).Order(StringComparer.Ordinal).ToList();
        var differences = new List<string>();
        foreach (string capture in captures)
        {
            string sensor = Path.GetFileName(capture);
            Write(sensor, capture);
            var fromFile = SharedCaptureAuditTests.Judge(StoreFileAnswerTests.Lab.Value, CaptureFileSource.Of([capture]));
            var fromLake = SharedCaptureAuditTests.Judge(StoreFileAnswerTests.Lab.Value, FlowStores.Parse(_lake).OpenSources(new StoreQuery { Sensors = [sensor] }));
            differences.AddRange(fromLake.Summary.Errors.Select(e => $"{sensor}: {e}"));
            differences.AddRange(StoreFileAnswerTests.Flows(fromFile.Flows).Except(StoreFileAnswerTests.Flows(fromLake.Flows)).Select(d => $"{sensor}: flow {d}"));
            differences.AddRange(StoreTests.Signature(fromFile.Report).Except(StoreTests.Signature(fromLake.Report)).Select(d => $"{sensor}: finding {d}"));
            if (fromFile.Flows.Count != fromLake.Flows.Count) differences.Add($"{sensor}: {fromFile.Flows.Count} flows from the file, {fromLake.Flows.Count} from the lake");
        }
        Assert.True(captures.Count >= 50, $"{captures.Count} captures");
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public void The_lakes_rows_are_the_stores_columns_but_the_sensor_typed_for_any_reader()
    {
        Write("edge", Lab);
        var columns = Rows($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{_lake}**/*.parquet', hive_partitioning = false))");
        Assert.Equal(FlowColumns.All.Where(c => c.Name != "sensor").Select(c => c.Name), columns.Select(c => (string)c[0]!));
        var types = columns.ToDictionary(c => (string)c[0]!, c => (string)c[1]!);
        Assert.Equal(("TIMESTAMP WITH TIME ZONE", "VARCHAR", "BIGINT", "BIGINT", "VARCHAR[]", "BOOLEAN"),
            (types["start"], types["client"], types["bytes_to_server"], types["protocol"], types["rpc_calls"], types["first_from_server"]));
    }

    [Fact]
    public async Task Two_runs_of_one_sensor_writing_at_once_each_put_their_files_in_the_partition()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Write("edge", Lab, new LakeWriterSettings { FileRows = 4 }))));

        var files = runs.SelectMany(r => r.Files).ToList();
        Assert.Equal(files.Count, files.Distinct().Count());
        Assert.Equal(files.Order(), Directory.GetFiles(_lake, "*", SearchOption.AllDirectories).Order());
        Assert.Equal(runs.Sum(r => r.Flows), Scalar($"SELECT count(*) FROM {LakeRelation.From(_lake, ["edge"], null, null)}"));
    }

    [Fact]
    public void Files_close_at_the_size_bound_and_none_is_left_under_a_temporary_name()
    {
        var written = Write("edge", Lab, new LakeWriterSettings { FileRows = 5 });

        Assert.Equal((written.Flows + 4) / 5, written.Files.Count);
        Assert.All(written.Files, f => Assert.Matches(@"/sensor=edge/day=\d{4}-\d\d-\d\d/part-\d{8}T\d{9}Z-[0-9a-f]{16}\.parquet$", f));
        Assert.Empty(Directory.GetFiles(_lake, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(written.Flows, Scalar($"SELECT count(*) FROM '{_lake}**/*.parquet'"));
    }

    [Fact]
    public void A_sensor_name_too_long_for_a_directory_is_measured_in_bytes()
    {
        // 90 CJK characters are 270 bytes of UTF-8: the message gave the 97 characters of the escaped name as bytes.
        string sensor = new('\u76e3', 90);
        var error = Assert.Throws<InputException>(() => new LakeFlowWriter(_lake, new LakeWriterSettings { Sensor = sensor }));
        Assert.Contains("(277 bytes of UTF-8 escaped, at most 255)", error.Message);
    }

    [Fact]
    public void A_file_where_the_lake_needs_a_directory_is_named()
    {
        // "Could not find a part of the path" said nothing of the file in the way.
        string file = Path.Combine(_lake, "afile");
        File.WriteAllText(file, "x");
        var error = Assert.Throws<InputException>(() => new LakeFlowWriter(Path.Combine(file, "sub") + "/", new LakeWriterSettings { Sensor = "edge" }));
        Assert.EndsWith($": {file} is a file, where the lake needs a directory", error.Message);
    }

    [Fact]
    public void A_live_runs_file_closes_at_the_time_bound_while_the_run_goes_on()
    {
        using var writer = new LakeFlowWriter(_lake, new LakeWriterSettings { Sensor = "edge", Inputs = ["live capture on lo"], FileAge = TimeSpan.FromMilliseconds(300) });
        long start = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        Flow At(long id, long ns) => Flow.Restore(id, IpProtocol.Tcp, IpAddr.Parse("10.1.0.5"), 50000, IpAddr.Parse("10.2.0.9"), 443,
            start + ns, start + ns + 1000, FlowState.Established, new FlowCounters(1, 60, 1, 60), default);

        writer.OnFlowEnd(At(1, 0));
        Thread.Sleep(400);
        writer.OnFlowEnd(At(2, 1000)); // a batch older than the bound is handed over with this flow
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.GetFiles(_lake, "*.parquet", SearchOption.AllDirectories).Length == 0 && DateTime.UtcNow < deadline) Thread.Sleep(50);

        string first = Assert.Single(Directory.GetFiles(_lake, "*.parquet", SearchOption.AllDirectories));
        Assert.Equal(2L, Scalar($"SELECT count(*) FROM '{first}'"));
        writer.OnFlowEnd(At(3, 2000));
        var written = writer.Complete();
        Assert.Equal((3L, 2), (written.Flows, written.Files.Count));
        Assert.Contains("/sensor=edge/day=2026-11-25/", first);
    }

    [Fact]
    public void A_half_written_file_under_its_temporary_name_is_not_read()
    {
        var written = Write("edge", Lab);
        string complete = written.Files[0];
        // What a writer that died mid-file leaves: the first half of a file, under the name it writes to.
        var bytes = File.ReadAllBytes(complete);
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(complete)!, LakeLayout.TemporaryName(LakeLayout.PartName(DateTimeOffset.UtcNow))), bytes[..(bytes.Length / 2)]);

        Assert.Equal(written.Flows, Scalar($"SELECT count(*) FROM read_parquet('{_lake}**/*.parquet', hive_partitioning = true)"));
        Assert.Equal(written.Flows, Scalar($"SELECT count(*) FROM {LakeRelation.From(_lake, [], null, null)}"));
    }

    [Fact]
    public void A_path_hostile_sensor_name_stays_in_its_own_partition_and_reads_back_as_given()
    {
        const string hostile = "../../x/sensor=evil/day=2000-01-01/%41 é\n.";
        var written = Write(hostile, Lab);

        string partition = Assert.Single(Directory.GetDirectories(_lake));
        Assert.Equal("sensor=..%2F..%2Fx%2Fsensor%3Devil%2Fday%3D2000-01-01%2F%2541%20é%0A.", Path.GetFileName(partition));
        Assert.All(written.Files, f => Assert.StartsWith(partition + "/day=", f));
        Assert.Equal(new object?[][] { [hostile, written.Flows] }, Rows($"SELECT sensor, count(*) FROM {LakeRelation.From(_lake, [hostile], null, null)} GROUP BY sensor"));
    }

    [Fact]
    public void Partitions_not_asked_for_are_never_opened_so_an_unreadable_one_does_not_matter()
    {
        var written = Write("edge", Lab);
        string day = Path.GetFileName(Path.GetDirectoryName(written.Files[0])!)["day=".Length..];
        // Garbage under the names of complete files: another sensor's on the same day, and this sensor's on another day.
        foreach (string other in new[] { $"sensor=core/day={day}", "sensor=edge/day=2001-01-01" })
        {
            Directory.CreateDirectory(Path.Combine(_lake, other));
            File.WriteAllText(Path.Combine(_lake, other, "part-garbage.parquet"), "not a Parquet file at all");
        }
        var since = DateTimeOffset.Parse(day + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(written.Flows, Scalar($"SELECT count(*) FROM {LakeRelation.From(_lake, ["edge"], since, since.AddDays(1))}"));
        // The garbage is there to be read: with every sensor of the day, or every day of the sensor, the scan fails on it.
        Assert.ThrowsAny<DuckDBException>(() => Scalar($"SELECT count(*) FROM {LakeRelation.From(_lake, [], since, since.AddDays(1))}"));
        Assert.ThrowsAny<DuckDBException>(() => Scalar($"SELECT count(*) FROM {LakeRelation.From(_lake, ["edge"], null, null)}"));
        Assert.Null(LakeRelation.From(_lake, ["edge"], since.AddDays(2), since.AddDays(3)));
    }

    private LakeWriteResult Write(string sensor, string capture, LakeWriterSettings? settings = null)
    {
        IReadOnlyList<IFlowSource> sources = CaptureFileSource.Of([capture]);
        using var writer = new LakeFlowWriter(_lake, (settings ?? new LakeWriterSettings()) with { Sensor = sensor, Inputs = sources.Select(s => s.Name).ToList() });
        new TrafficRun(new FlowTableOptions(), writer).Read(sources);
        return writer.Complete();
    }

    private static long Scalar(string sql) => Convert.ToInt64(Rows(sql)[0][0], System.Globalization.CultureInfo.InvariantCulture);

    private static List<object?[]> Rows(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i) is ulong or uint or int ? Convert.ToInt64(reader.GetValue(i)) : reader.GetValue(i)).ToArray());
        return rows;
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
