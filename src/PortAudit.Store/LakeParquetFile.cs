using System.IO.Compression;
using System.Text;
using Parquet;
using PortAudit.Common;
using PortAudit.Report.Records;

namespace PortAudit.Store;

/// <summary>
/// One Parquet file of a lake, filled with store rows (<see cref="StoreRows"/>) and written by Parquet.Net a row group
/// at a time (<see cref="ParquetTable"/>, as flows.parquet is): the columns of <see cref="LakeColumns"/>.
/// </summary>
internal sealed class LakeParquetFile : IStoreRowSink, IDisposable
{
    private readonly ParquetTable _table;
    private readonly IFlowFieldSink _fields;
    private char[] _chars = new char[256];

    /// <summary>
    /// Zstandard at its fastest level: as fast as Snappy here and half the size (docs/store.md, "Lake", measured with
    /// tools/bench/parquet-writers-bench.sh); DuckDB, Spark, Trino and pandas read it.
    /// </summary>
    public static ParquetOptions Compression { get; } = new() { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = CompressionLevel.Fastest };

    /// <summary>Starts a file over <paramref name="output"/>, which it then owns, compressed as <paramref name="options"/> say (<see cref="Compression"/> by default).</summary>
    public LakeParquetFile(Stream output, ParquetOptions? options = null)
    {
        _table = new ParquetTable(output, LakeColumns.All, Enumerable.Range(0, LakeColumns.All.Length).ToArray(), options ?? Compression);
        _fields = _table;
    }

    /// <summary>Rows given so far.</summary>
    public long Rows { get; private set; }

    /// <inheritdoc />
    public void Null(int column)
    {
        if (LakeColumns.FieldOf[column] is >= 0 and var field) _fields.Null(field);
    }

    /// <inheritdoc />
    public void Text(int column, ReadOnlySpan<byte> utf8)
    {
        if (LakeColumns.FieldOf[column] is not (>= 0 and var field)) return;
        if (_chars.Length < utf8.Length) _chars = new char[Math.Max(utf8.Length, 2 * _chars.Length)];
        _fields.Text(field, _chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, _chars)));
    }

    /// <inheritdoc />
    public void Number(int column, long value) => _fields.Number(LakeColumns.FieldOf[column], value);

    /// <inheritdoc />
    public void Time(int column, long unixMicros) => _table.Time(LakeColumns.FieldOf[column], unixMicros * 1000);

    /// <inheritdoc />
    public void Address(int column, IpAddr address)
    {
        Span<byte> text = stackalloc byte[IpAddr.MaxTextLength];
        _fields.Verbatim(LakeColumns.FieldOf[column], text[..address.Format(text)]);
    }

    /// <inheritdoc />
    public void Flag(int column, bool value) => _table.Flag(LakeColumns.FieldOf[column], value);

    /// <inheritdoc />
    public void TextList(int column, string?[] values) => _table.Texts(LakeColumns.FieldOf[column], values);

    /// <inheritdoc />
    public void EndRow()
    {
        _table.EndRow();
        Rows++;
    }

    /// <summary>Writes the last row group and the footer: the file is complete.</summary>
    public void Complete() => _table.Complete();

    /// <summary>Closes the stream (completing the file if it was not).</summary>
    public void Dispose() => _table.Dispose();
}
