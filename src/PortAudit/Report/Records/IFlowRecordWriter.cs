using PortAudit.Flows;
using PortAudit.Report.Text;

namespace PortAudit.Report.Records;

/// <summary>Writes flow records in one output format.</summary>
public interface IFlowRecordWriter : IDisposable
{
    /// <summary>Writes one flow.</summary>
    void Write(Flow flow);

    /// <summary>Writes flows that ended together, in their order; a format may spread the work over several cores.</summary>
    void WriteAll(ReadOnlyMemory<Flow> flows)
    {
        foreach (var flow in flows.Span) Write(flow);
    }

    /// <summary>Writes whatever the format keeps until the end (a table's aligned rows) and flushes.</summary>
    void Complete();
}

/// <summary>Makes the writer for a format name.</summary>
public static class FlowRecordWriters
{
    /// <summary>The format names accepted by <see cref="Create"/> (which also takes <c>jsonl</c>, the earlier name of <c>json</c>).</summary>
    public static readonly string[] Formats = { "json", "csv", "tsv", "table", Parquet };

    /// <summary>The binary format (<see cref="ParquetFlowWriter"/>), which a terminal is not given.</summary>
    public const string Parquet = "parquet";

    /// <summary>
    /// Creates the writer for <paramref name="format"/> over <paramref name="output"/>, which it then owns;
    /// <paramref name="tables"/> lays out the table format.
    /// </summary>
    public static IFlowRecordWriter Create(string format, Stream output, ListingRenderer tables) => format switch
    {
        "json" or "jsonl" => new JsonLinesFlowWriter(output),
        "csv" => new CsvFlowWriter(output),
        "tsv" => new TsvFlowWriter(output),
        "table" => new TableFlowWriter(output, tables),
        Parquet => new ParquetFlowWriter(output),
        _ => throw new ArgumentException($"unknown flow format '{format}'", nameof(format)),
    };
}

/// <summary>Adapts a writer to the flow table: every ended flow is written.</summary>
public sealed class FlowRecordObserver(IFlowRecordWriter writer) : IFlowObserver
{
    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <inheritdoc />
    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow) => writer.Write(flow);

    /// <inheritdoc />
    public void OnFlowsEnd(ReadOnlyMemory<Flow> flows) => writer.WriteAll(flows);
}
