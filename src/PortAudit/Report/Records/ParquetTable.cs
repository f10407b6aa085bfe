using Parquet;
using Parquet.Schema;

namespace PortAudit.Report.Records;

/// <summary>The type of a Parquet column, as the readers (DuckDB, Spark, Trino, Athena, pandas) see it.</summary>
public enum ParquetKind
{
    /// <summary>UTF-8 string.</summary>
    Text,
    /// <summary>Signed 64-bit integer: what every reader takes without a cast, where unsigned types trip some.</summary>
    Number,
    /// <summary>A duration in seconds, double (Zeek's <c>interval</c>).</summary>
    Seconds,
    /// <summary>A timestamp in UTC, microseconds.</summary>
    Time,
    /// <summary>A list of strings.</summary>
    TextList,
    /// <summary>A list of signed 64-bit integers.</summary>
    NumberList,
    /// <summary>A boolean.</summary>
    Flag,
}

/// <summary>A column: its name in the file and its type.</summary>
public sealed record ParquetColumn(string Name, ParquetKind Kind);

/// <summary>
/// A Parquet file written row by row through <see cref="IFlowFieldSink"/>: the values of a row group are kept column by
/// column and written every <see cref="RowGroupRows"/> rows, so that memory stays bounded however many rows a run
/// writes. Each column is nullable. The file is valid once <see cref="Complete"/> has written its footer.
/// </summary>
/// <remarks>
/// Fields arrive numbered as their writer numbers them (<see cref="FlowFields"/>' order); <c>schemaOrder</c> says in
/// which order the columns stand in the file, so that Zeek's columns can lead. Every field of a row must be given
/// exactly once before <see cref="EndRow"/>.
/// </remarks>
internal sealed class ParquetTable : IFlowFieldSink, IDisposable
{
    /// <summary>
    /// Rows per row group: large enough for the readers' column statistics to skip well, small enough that a row group's
    /// values die young. With 65,536 they outlived the young generation and were promoted and copied before they were
    /// written: <c>flows --format parquet</c> of the bench corpus took 2.48–2.69 s against 2.09–2.19 s with 16,384
    /// (5.5x → 4.5x tcpdump's 0.48 s, same rounds), peak 345 → 300 MiB, the file 0.4% larger; a lake's ten million
    /// flows were written in 50.4 s against 35.9 s, peak 769 → 423 MiB.
    /// </summary>
    public const int RowGroupRows = 1 << 14;

    private readonly Stream _output;
    private readonly ParquetWriter _writer;
    private readonly ColumnBuffer[] _byField;
    private readonly ColumnBuffer[] _inFileOrder;
    private int _rows;
    private bool _completed;

    /// <summary>
    /// Starts a file over <paramref name="output"/> (which it then owns) with <paramref name="columns"/>, numbered as
    /// fields in their order and laid out in the file in <paramref name="schemaOrder"/> (field numbers; all of them),
    /// with Parquet.Net's <paramref name="options"/> (its defaults: Snappy) for compression.
    /// </summary>
    public ParquetTable(Stream output, IReadOnlyList<ParquetColumn> columns, IReadOnlyList<int> schemaOrder, ParquetOptions? options = null)
    {
        if (schemaOrder.Count != columns.Count || schemaOrder.Distinct().Count() != columns.Count)
            throw new ArgumentException("every column once", nameof(schemaOrder));
        _output = output;
        _byField = columns.Select(ColumnBuffer.For).ToArray();
        _inFileOrder = schemaOrder.Select(field => _byField[field]).ToArray();
        var schema = new ParquetSchema(_inFileOrder.Select(c => c.SchemaField));
        // Parquet.Net writes sequentially: a pipe (standard output) will do as well as a file.
        _writer = ParquetWriter.CreateAsync(schema, output, options).GetAwaiter().GetResult();
    }

    /// <summary>Ends the row whose fields were just given; writes a row group when it is full.</summary>
    public void EndRow()
    {
        if (++_rows == RowGroupRows) Flush();
    }

    /// <summary>Writes the rows kept and the file's footer, and flushes. The file is complete.</summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        Flush();
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _output.Flush();
    }

    /// <summary>Completes the file if it was not, then closes the stream (which puts a file in place, see <see cref="OutputSet"/>).</summary>
    public void Dispose()
    {
        try
        {
            Complete();
        }
        finally
        {
            _output.Dispose();
        }
    }

    private void Flush()
    {
        if (_rows == 0) return;
        using (var group = _writer.CreateRowGroup())
        {
            foreach (var column in _inFileOrder) column.WriteAsync(group, _rows).GetAwaiter().GetResult();
            group.CompleteValidate();
        }
        foreach (var column in _inFileOrder) column.Clear();
        _rows = 0;
    }

    void IFlowFieldSink.Text(int field, ReadOnlySpan<char> value) => ((TextBuffer)_byField[field]).Values[_rows] = new string(value);

    void IFlowFieldSink.Number(int field, long value) => ((NumberBuffer)_byField[field]).Values[_rows] = value;

    void IFlowFieldSink.Null(int field) => _byField[field].Null(_rows);

    // Microseconds, as the text formats write them (Timestamps, FlowFields.FormatSeconds): the two agree to the digit.
    void IFlowFieldSink.Seconds(int field, long nanoseconds) => ((SecondsBuffer)_byField[field]).Values[_rows] = nanoseconds / 1000 / 1e6;

    void IFlowFieldSink.Time(int field, long nanoseconds) => Time(field, nanoseconds);

    void IFlowFieldSink.TextList(int field, IReadOnlyList<string> values) => Texts(field, values);

    void IFlowFieldSink.Lines(int field, ReadOnlySpan<char> text, char separator)
    {
        // No element is an empty list, as the store's array of none.
        var lines = new List<string?>();
        if (!text.IsEmpty)
            foreach (var line in text.Split(separator)) lines.Add(new string(text[line]));
        Texts(field, lines);
    }

    /// <summary>A list of strings, any of which may be null (the flow store's application detail keys: a bare word has none).</summary>
    public void Texts(int field, IReadOnlyList<string?> values) => ((TextListBuffer)_byField[field]).Add(values);

    /// <summary>A boolean.</summary>
    public void Flag(int field, bool value) => ((FlagBuffer)_byField[field]).Values[_rows] = value;

    /// <summary>A point in time, nanoseconds since the epoch, kept to the microsecond (before 1970 is 1970, as in the text formats).</summary>
    public void Time(int field, long nanoseconds) =>
        ((TimeBuffer)_byField[field]).Values[_rows] = DateTime.UnixEpoch.AddTicks(Math.Max(0, nanoseconds) / 1000 * 10);

    /// <summary>A list of numbers.</summary>
    public void Numbers(int field, IReadOnlyList<long> values) => ((NumberListBuffer)_byField[field]).Add(values);

    /// <summary>One column's values for the row group being filled.</summary>
    private abstract class ColumnBuffer
    {
        /// <summary>What the schema holds: the field itself, or the list around it.</summary>
        public abstract Field SchemaField { get; }

        public abstract void Null(int row);

        public abstract Task WriteAsync(ParquetRowGroupWriter group, int rows);

        public virtual void Clear()
        {
        }

        public static ColumnBuffer For(ParquetColumn column) => column.Kind switch
        {
            ParquetKind.Text => new TextBuffer(column.Name),
            ParquetKind.Number => new NumberBuffer(column.Name),
            ParquetKind.Seconds => new SecondsBuffer(column.Name),
            ParquetKind.Time => new TimeBuffer(column.Name),
            ParquetKind.TextList => new TextListBuffer(column.Name),
            ParquetKind.NumberList => new NumberListBuffer(column.Name),
            ParquetKind.Flag => new FlagBuffer(column.Name),
            _ => throw new ArgumentOutOfRangeException(nameof(column)),
        };
    }

    /// <summary>A column of nullable values of type <typeparamref name="T"/>, one per row.</summary>
    private abstract class ValueBuffer<T>(DataField dataField) : ColumnBuffer
    {
        public readonly T?[] Values = new T?[RowGroupRows];

        protected DataField Field => dataField;

        public override Field SchemaField => dataField;

        public override void Null(int row) => Values[row] = default;
    }

    private sealed class TextBuffer(string name) : ValueBuffer<string>(new DataField<string>(name, nullable: true))
    {
        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAsync(Field, new ArraySegment<string>(Values!, 0, rows));
    }

    private sealed class NumberBuffer(string name) : ValueBuffer<long?>(new DataField<long?>(name))
    {
        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAsync(Field, new ReadOnlyMemory<long?>(Values, 0, rows));
    }

    private sealed class SecondsBuffer(string name) : ValueBuffer<double?>(new DataField<double?>(name))
    {
        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAsync(Field, new ReadOnlyMemory<double?>(Values, 0, rows));
    }

    private sealed class FlagBuffer(string name) : ValueBuffer<bool?>(new DataField<bool?>(name))
    {
        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAsync(Field, new ReadOnlyMemory<bool?>(Values, 0, rows));
    }

    // Parquet's TIMESTAMP(MICROS, UTC): DuckDB reads it as TIMESTAMP WITH TIME ZONE, Spark as timestamp.
    private sealed class TimeBuffer(string name) : ValueBuffer<DateTime?>(
        new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true))
    {
        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAsync(Field, new ReadOnlyMemory<DateTime?>(Values, 0, rows));
    }

    /// <summary>
    /// A list column, kept as Parquet stores it: the items of every row one after another, each with its repetition
    /// level (0 starts a row, 1 goes on with it) and its definition level, which tells an item (the greatest level) from
    /// an empty list (two below: the list is there, its repeated group is not) and from no list at all (0); a null item
    /// is one below the greatest, with no value.
    /// </summary>
    private abstract class ListBuffer<TItem>(string name, DataField item) : ColumnBuffer where TItem : struct
    {
        private readonly ListField _list = new(name, item);
        private readonly List<TItem> _items = [];
        private readonly List<int> _definitions = [];
        private readonly List<int> _repetitions = [];

        public override Field SchemaField => _list;

        public override void Null(int row)
        {
            _definitions.Add(0);
            _repetitions.Add(0);
        }

        protected void Add(int count, Func<int, TItem> at, Func<int, bool>? isNull = null)
        {
            if (count == 0)
            {
                _definitions.Add(item.MaxDefinitionLevel - 2);
                _repetitions.Add(0);
                return;
            }
            for (int i = 0; i < count; i++)
            {
                bool none = isNull?.Invoke(i) == true;
                if (!none) _items.Add(at(i));
                _definitions.Add(none ? item.MaxDefinitionLevel - 1 : item.MaxDefinitionLevel);
                _repetitions.Add(i == 0 ? 0 : 1);
            }
        }

        // Levels given by hand: Parquet.Net's own list writing has no empty list, only a list holding one null.
        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAllPartsAsync<TItem>(item, _items.ToArray(), _definitions.ToArray(), _repetitions.ToArray(), default);

        public override void Clear()
        {
            _items.Clear();
            _definitions.Clear();
            _repetitions.Clear();
        }
    }

    // Parquet.Net 6 holds a string column's values as ReadOnlyMemory<char>.
    private sealed class TextListBuffer(string name) : ListBuffer<ReadOnlyMemory<char>>(name, new DataField<string>("element", nullable: true))
    {
        public void Add(IReadOnlyList<string?> values) => Add(values.Count, i => values[i].AsMemory(), i => values[i] is null);
    }

    private sealed class NumberListBuffer(string name) : ListBuffer<long>(name, new DataField<long?>("element"))
    {
        public void Add(IReadOnlyList<long> values) => Add(values.Count, i => values[i]);
    }
}
