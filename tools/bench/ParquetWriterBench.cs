using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Store;

/// <summary>
/// Which library writes a lake's Parquet files (issue 48): the same store rows, FLOWS of them, written by one WRITER
/// per process (so that each has its own peak memory): <c>none</c> (the rows made and read, written nowhere: the
/// floor the writers are measured over), <c>parquet-net</c> (Parquet.Net through <see cref="LakeParquetFile"/>, row
/// groups of 65,536, Snappy as flows.parquet), <c>parquet-net-zstd</c> (the same, Zstandard at its fastest level, as the
/// lake writes) or <c>duckdb</c>, <c>duckdb-zstd</c> (DuckDB.NET's appender into an in-memory table, then
/// <c>COPY … TO</c> Parquet, row groups of 65,536, Snappy or Zstandard), <c>duckdb-zstd-256mb</c> (the same with DuckDB's
/// memory limited to 256 MB: the table spills to disk).
/// The rows are real: the flows of CAPTURE (base.pcap), encoded as the store encodes them, copied with their
/// addresses and times moved per copy as make-corpus moves them, so that the copies are distinct flows.
/// </summary>
internal static class ParquetWriterBench
{
    public static int Run(string[] args)
    {
        if (args is ["compare", var left, var right]) return Compare(left, right);
        if (args is ["query", var sql]) return Query(sql);
        if (args.Length != 4) { Console.Error.WriteLine("usage: PortAudit.Bench parquet-writers none|parquet-net|duckdb FLOWS CAPTURE OUT"); return 2; }
        string writer = args[0], output = args[3];
        long flows = long.Parse(args[1], CultureInfo.InvariantCulture);
        var batch = Encoded(args[2]);
        var clock = Stopwatch.StartNew();
        using (IRowFile file = writer switch
               {
                   "none" => new NoFile(),
                   "parquet-net" => new ParquetNetFile(output, new Parquet.ParquetOptions()),
                   "parquet-net-zstd" => new ParquetNetFile(output, LakeParquetFile.Compression),
                   "duckdb" => new DuckDbFile(output, "snappy"),
                   "duckdb-zstd" => new DuckDbFile(output, "zstd"),
                   "duckdb-zstd-256mb" => new DuckDbFile(output, "zstd", "256MB"),
                   _ => throw new ArgumentException($"no writer {writer}"),
               })
        {
            var copies = new Relaid(file.Sink, flows, DayMicros);
            for (int copy = 0; copies.Written < flows; copy++)
            {
                copies.Copy = copy;
                StoreRows.Read(batch.Rows, _ => copies);
            }
            file.Complete();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = File.Exists(output) ? new FileInfo(output).Length : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"writer={writer} flows={flows} seconds={seconds:0.000} us_per_flow={seconds * 1e6 / flows:0.00} peak_rss_mb={PeakRssMb():0} bytes={bytes}"));
        return 0;
    }

    // Whether two writers' files hold the same rows (DuckDB reads both): rows of each not in the other.
    private static int Compare(string left, string right)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT (SELECT count(*) FROM '{left}'), (SELECT count(*) FROM '{right}'), " +
                              $"(SELECT count(*) FROM (SELECT * FROM '{left}' EXCEPT ALL SELECT * FROM '{right}')), " +
                              $"(SELECT count(*) FROM (SELECT * FROM '{right}' EXCEPT ALL SELECT * FROM '{left}'))";
        using var reader = command.ExecuteReader();
        reader.Read();
        Console.WriteLine($"rows {reader.GetInt64(0)} and {reader.GetInt64(1)}; only in the first {reader.GetInt64(2)}, only in the second {reader.GetInt64(3)}");
        return reader.GetInt64(2) + reader.GetInt64(3) == 0 ? 0 : 1;
    }

    private static int Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
            Console.WriteLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : reader.GetValue(i) is System.Collections.IEnumerable e and not string ? "[" + string.Join(",", e.Cast<object?>()) + "]" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        return 0;
    }

    // The capture's flows as store rows, one batch (base.pcap: some 7,000 flows).
    private static FlowBatch Encoded(string capture)
    {
        var encoder = new Encoder(capture);
        new TrafficRun(new FlowTableOptions(), encoder).Read([new CaptureFileSource(capture)]);
        return encoder.Batch;
    }

    // Each copy a day later than the one before (base.pcap's captures span years: moving copies past its whole span would
    // leave the range of nanosecond times within 20 copies).
    private const long DayMicros = 86_400_000_000L;

    private static double PeakRssMb() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0).FirstOrDefault();

    private sealed class Encoder(string input) : IFlowObserver
    {
        private readonly byte[] _input = System.Text.Encoding.UTF8.GetBytes(input);

        public FlowBatch Batch { get; } = new("bench");

        public bool ReadsPackets => false;

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow) => Batch.Add(flow, _input);
    }

    /// <summary>
    /// Passes rows on with the copy's addresses (second octet, or the high word of IPv6, XOR-ed with the copy number)
    /// and times (a day later per copy), up to the number of rows asked for.
    /// </summary>
    private sealed class Relaid(IStoreRowSink next, long rows, long spanMicros) : IStoreRowSink
    {
        private static readonly int StartNs = FlowColumns.IndexOf("start_ns"), EndNs = FlowColumns.IndexOf("end_ns");
        private bool _skipping;

        public int Copy { get; set; }

        public long Written { get; private set; }

        private bool Skip(int column)
        {
            if (column == 0) _skipping = Written >= rows;
            return _skipping;
        }

        public void Null(int column)
        {
            if (!Skip(column)) next.Null(column);
        }

        public void Text(int column, ReadOnlySpan<byte> utf8)
        {
            if (!Skip(column)) next.Text(column, utf8);
        }

        public void Number(int column, long value)
        {
            if (Skip(column)) return;
            next.Number(column, column == StartNs || column == EndNs ? value + Copy * spanMicros * 1000 : value);
        }

        public void Time(int column, long unixMicros)
        {
            if (!Skip(column)) next.Time(column, unixMicros + Copy * spanMicros);
        }

        public void Address(int column, IpAddr address)
        {
            if (!Skip(column))
                next.Address(column, address.IsV4 ? IpAddr.FromV4(address.V4 ^ ((uint)(Copy & 0xFF) << 16)) : new IpAddr(address.High ^ ((ulong)Copy << 32), address.Low));
        }

        public void Flag(int column, bool value)
        {
            if (!Skip(column)) next.Flag(column, value);
        }

        public void TextList(int column, string?[] values)
        {
            if (!Skip(column)) next.TextList(column, values);
        }

        public void EndRow()
        {
            if (_skipping) return;
            next.EndRow();
            Written++;
        }
    }

    private interface IRowFile : IDisposable
    {
        IStoreRowSink Sink { get; }

        void Complete();
    }

    /// <summary>Rows read and dropped.</summary>
    private sealed class NoFile : IRowFile
    {
        public IStoreRowSink Sink => DiscardedRows.Instance;

        public void Complete() { }

        public void Dispose() { }
    }

    private sealed class ParquetNetFile(string path, Parquet.ParquetOptions options) : IRowFile
    {
        private readonly LakeParquetFile _file = new(File.Create(path), options);

        public IStoreRowSink Sink => _file;

        public void Complete() => _file.Complete();

        public void Dispose() => _file.Dispose();
    }

    /// <summary>DuckDB's appender into an in-memory table of the lake's columns, then <c>COPY t TO 'OUT' (FORMAT parquet)</c>.</summary>
    private sealed class DuckDbFile : IRowFile, IStoreRowSink
    {
        private readonly string _path, _compression;
        private readonly DuckDBConnection _connection = new("DataSource=:memory:");
        private readonly DuckDBAppender _appender;
        private IDuckDBAppenderRow? _row;

        public DuckDbFile(string path, string compression, string? memoryLimit = null)
        {
            _path = path;
            _compression = compression;
            _connection.Open();
            // Bounded: the table spills to a temporary directory beside the output past the limit.
            if (memoryLimit is not null) Execute($"SET memory_limit = '{memoryLimit}'; SET temp_directory = '{Path.GetDirectoryName(Path.GetFullPath(path))}/duckdb-spill'");
            Execute("CREATE TABLE t (" + string.Join(", ", LakeColumns.All.Select(c => $"\"{c.Name}\" {SqlType(c.Kind)}")) + ")");
            _appender = _connection.CreateAppender("t");
        }

        public IStoreRowSink Sink => this;

        private static string SqlType(PortAudit.Report.Records.ParquetKind kind) => kind switch
        {
            PortAudit.Report.Records.ParquetKind.Number => "BIGINT",
            PortAudit.Report.Records.ParquetKind.Time => "TIMESTAMPTZ",
            PortAudit.Report.Records.ParquetKind.Flag => "BOOLEAN",
            PortAudit.Report.Records.ParquetKind.TextList => "VARCHAR[]",
            _ => "VARCHAR",
        };

        private IDuckDBAppenderRow Row(int column) => column == 1 || _row is null ? _row = _appender.CreateRow() : _row;

        public void Null(int column)
        {
            if (LakeColumns.FieldOf[column] >= 0) Row(column).AppendNullValue();
        }

        public void Text(int column, ReadOnlySpan<byte> utf8)
        {
            if (LakeColumns.FieldOf[column] >= 0) Row(column).AppendValue(System.Text.Encoding.UTF8.GetString(utf8));
        }

        public void Number(int column, long value) => Row(column).AppendValue((long?)value);

        public void Time(int column, long unixMicros) => Row(column).AppendValue((DateTimeOffset?)DateTimeOffset.UnixEpoch.AddTicks(unixMicros * 10));

        public void Address(int column, IpAddr address) => Row(column).AppendValue(address.ToString());

        public void Flag(int column, bool value) => Row(column).AppendValue((bool?)value);

        public void TextList(int column, string?[] values) => Row(column).AppendValue((IEnumerable<string?>)values);

        public void EndRow()
        {
            _row!.EndRow();
            _row = null;
        }

        public void Complete()
        {
            _appender.Close();
            Execute($"COPY t TO '{_path.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet, ROW_GROUP_SIZE 65536, COMPRESSION {_compression})");
        }

        private void Execute(string sql)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _appender.Dispose();
            _connection.Dispose();
        }
    }
}
