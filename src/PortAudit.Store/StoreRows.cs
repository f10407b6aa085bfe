using System.Buffers.Binary;
using PortAudit.Common;

namespace PortAudit.Store;

/// <summary>
/// Receives the values of store rows (<see cref="FlowColumns.All"/>), column by column in order, typed: what a row
/// becomes in another format than PostgreSQL's (a lake's Parquet file). <c>column</c> is the index in
/// <see cref="FlowColumns.All"/>.
/// </summary>
internal interface IStoreRowSink
{
    /// <summary>A column without a value.</summary>
    void Null(int column);

    /// <summary>A text column, UTF-8; valid only during the call.</summary>
    void Text(int column, ReadOnlySpan<byte> utf8);

    /// <summary>An integer column (smallint, integer or bigint).</summary>
    void Number(int column, long value);

    /// <summary>A timestamp, microseconds since the Unix epoch, UTC.</summary>
    void Time(int column, long unixMicros);

    /// <summary>An address column.</summary>
    void Address(int column, IpAddr address);

    /// <summary>A boolean column.</summary>
    void Flag(int column, bool value);

    /// <summary>A list of strings, whose elements may be null.</summary>
    void TextList(int column, string?[] values);

    /// <summary>Every column of the row was given.</summary>
    void EndRow();
}

/// <summary>
/// A sink that keeps nothing: rows read only to be checked (the spool's fuzz target) or to time the reading apart from a
/// writer (the Parquet writer's benchmark).
/// </summary>
internal sealed class DiscardedRows : IStoreRowSink
{
    /// <summary>The one instance; it holds no state.</summary>
    public static readonly DiscardedRows Instance = new();

    private DiscardedRows() { }

    /// <inheritdoc />
    public void Null(int column) { }

    /// <inheritdoc />
    public void Text(int column, ReadOnlySpan<byte> utf8) { }

    /// <inheritdoc />
    public void Number(int column, long value) { }

    /// <inheritdoc />
    public void Time(int column, long unixMicros) { }

    /// <inheritdoc />
    public void Address(int column, IpAddr address) { }

    /// <inheritdoc />
    public void Flag(int column, bool value) { }

    /// <inheritdoc />
    public void TextList(int column, string?[] values) { }

    /// <inheritdoc />
    public void EndRow() { }
}

/// <summary>
/// Reads the rows a <see cref="FlowRowEncoder"/> encoded (binary COPY, without header) back as typed values, so that
/// the store's rows, as the one encoder makes them, are written in other formats too: a lake's Parquet files hold the
/// same values as <c>portaudit.flows</c>, by construction. The rows were made by this build (a batch, or a spool frame
/// <see cref="SpoolFrame"/> checked), so they are read without checks.
/// </summary>
internal static class StoreRows
{
    private static readonly int StartColumn = FlowColumns.IndexOf("start");

    /// <summary>
    /// Gives every row of <paramref name="rows"/> to the sink <paramref name="sinkOf"/> picks for the row's start
    /// (microseconds since the Unix epoch, UTC): a lake's partition is the start's day.
    /// </summary>
    public static void Read(ReadOnlySpan<byte> rows, Func<long, IStoreRowSink> sinkOf)
    {
        int at = 0;
        while (at < rows.Length)
        {
            int fields = BinaryPrimitives.ReadInt16BigEndian(rows[at..]);
            at += 2;
            var sink = sinkOf(StartOf(rows[at..]));
            for (int column = 0; column < fields; column++)
            {
                int size = BinaryPrimitives.ReadInt32BigEndian(rows[at..]);
                at += 4;
                if (size < 0)
                {
                    sink.Null(column);
                    continue;
                }
                Field(sink, column, rows.Slice(at, size));
                at += size;
            }
            sink.EndRow();
        }
    }

    // The start column's value, found by skipping the fields before it.
    private static long StartOf(ReadOnlySpan<byte> fields)
    {
        int at = 0;
        for (int column = 0; column < StartColumn; column++)
            at += 4 + Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(fields[at..]));
        return BinaryPrimitives.ReadInt64BigEndian(fields[(at + 4)..]) + StoreTime.PostgresEpochMicros;
    }

    private static void Field(IStoreRowSink sink, int column, ReadOnlySpan<byte> value)
    {
        switch (FlowColumns.All[column].Kind)
        {
            case ColumnKind.Text: sink.Text(column, value); break;
            case ColumnKind.Int8: sink.Number(column, BinaryPrimitives.ReadInt64BigEndian(value)); break;
            case ColumnKind.Int4: sink.Number(column, BinaryPrimitives.ReadInt32BigEndian(value)); break;
            case ColumnKind.Int2: sink.Number(column, BinaryPrimitives.ReadInt16BigEndian(value)); break;
            case ColumnKind.Timestamp: sink.Time(column, BinaryPrimitives.ReadInt64BigEndian(value) + StoreTime.PostgresEpochMicros); break;
            case ColumnKind.Bool: sink.Flag(column, value[0] != 0); break;
            case ColumnKind.Inet: sink.Address(column, value[3] == 4 ? IpAddr.FromV4(value.Slice(4, 4)) : IpAddr.FromV6(value.Slice(4, 16))); break;
            default: sink.TextList(column, TextArray(value)); break;
        }
    }

    // A one-dimensional text[]: dimensions, null flag, element type, then (with one dimension) count and lower bound,
    // then the elements, each a length (-1: null) and its bytes.
    private static string?[] TextArray(ReadOnlySpan<byte> value)
    {
        if (BinaryPrimitives.ReadInt32BigEndian(value) == 0) return [];
        var elements = new string?[BinaryPrimitives.ReadInt32BigEndian(value[12..])];
        int at = 20;
        for (int i = 0; i < elements.Length; i++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(value[at..]);
            at += 4;
            if (size < 0) continue;
            elements[i] = System.Text.Encoding.UTF8.GetString(value.Slice(at, size));
            at += size;
        }
        return elements;
    }
}
