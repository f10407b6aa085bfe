using PortAudit.Audit;
using PortAudit.Flows;

namespace PortAudit.Report.Records;

/// <summary>
/// flows.parquet of an audit (<c>audit --parquet</c>): the columns of <see cref="ParquetFlowWriter"/>, then the audit's
/// fields of flows.jsonl (<see cref="AuditedFlowWriter.Names"/>) in snake_case, the role lists and the firewalls'
/// verdicts as lists of strings.
/// </summary>
public sealed class AuditedParquetWriter : IAuditedFlowSink, IDisposable
{
    /// <summary>The audit fields that are lists.</summary>
    public static readonly IReadOnlyList<string> ListFields = ["clientRoles", "serverRoles", "policy"];

    private readonly ParquetFlowWriter _writer;

    /// <summary>Creates the writer over <paramref name="output"/>, which it then owns; <paramref name="uids"/> are the run's.</summary>
    public AuditedParquetWriter(Stream output, FlowUids uids) =>
        _writer = new ParquetFlowWriter(output, uids, AuditedFlowWriter.Names, [.. ListFields]);

    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict) => _writer.Write(flow, new AuditFields(verdict));

    /// <inheritdoc />
    public void WriteAll(ReadOnlySpan<Flow> flows, ReadOnlySpan<FlowVerdict> verdicts)
    {
        for (int i = 0; i < flows.Length; i++) Write(flows[i], verdicts[i]);
    }

    /// <summary>Writes the last row group and the footer.</summary>
    public void Complete() => _writer.Complete();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
