using PortAudit.Report.Records;

namespace PortAudit.Report.Audits;

/// <summary>
/// findings.parquet (<c>audit --parquet</c>): one row per finding, in report.json's order, with the columns of
/// findings.csv (<see cref="FindingsCsvWriter.Columns"/>) typed: the role lists and <c>flow_ids</c> as lists,
/// <c>flows</c> a count, <c>first</c> and <c>last</c> timestamps; then <c>flow_uids</c>, the uids of the same flows in
/// flows.parquet, which stay unique when the files of many audits are read together.
/// </summary>
public static class FindingsParquetWriter
{
    /// <summary>The column after findings.csv's.</summary>
    public const string FlowUidsColumn = "flow_uids";

    // findings.csv's columns that are not text.
    private static readonly Dictionary<string, ParquetKind> Kinds = new()
    {
        ["client_roles"] = ParquetKind.TextList, ["server_roles"] = ParquetKind.TextList, ["flows"] = ParquetKind.Number,
        ["first"] = ParquetKind.Time, ["last"] = ParquetKind.Time, ["flow_ids"] = ParquetKind.NumberList,
        [FlowUidsColumn] = ParquetKind.TextList,
    };

    /// <summary>The columns, in order.</summary>
    public static readonly IReadOnlyList<ParquetColumn> Columns =
        [.. FindingsCsvWriter.Columns.Append(FlowUidsColumn).Select(name => new ParquetColumn(name, Kinds.GetValueOrDefault(name, ParquetKind.Text)))];

    /// <summary>
    /// Writes the findings of <paramref name="report"/> to <paramref name="output"/>, which it then owns, naming their
    /// flows by <paramref name="uids"/>, the run's.
    /// </summary>
    public static void Write(Stream output, Audit.AuditReport report, FlowUids uids)
    {
        using var table = new ParquetTable(output, Columns, [.. Enumerable.Range(0, Columns.Count)]);
        IFlowFieldSink sink = table;
        foreach (var finding in report.Findings)
        {
            var row = FindingRow.Of(finding, report.Triage);
            string?[] texts = [row.Id, row.Kind, row.Severity, row.ClientHost, row.ServerHost];
            for (int i = 0; i < texts.Length; i++) FlowFields.Optional(sink, i, texts[i]);
            sink.TextList(5, row.ClientRoles);
            sink.TextList(6, row.ServerRoles);
            texts = [row.Transport, row.Ports, row.Rule, row.Reason];
            for (int i = 0; i < texts.Length; i++) FlowFields.Optional(sink, 7 + i, texts[i]);
            sink.Number(11, row.Flows);
            Time(table, 12, row.FirstNs);
            Time(table, 13, row.LastNs);
            table.Numbers(14, row.FlowIds);
            FlowFields.Optional(sink, 15, row.Status);
            FlowFields.Optional(sink, 16, row.Suppressed);
            sink.TextList(17, [.. row.FlowIds.Select(uids.Of)]);
            table.EndRow();
        }
        table.Complete();
    }

    private static void Time(ParquetTable table, int field, long? nanoseconds)
    {
        if (nanoseconds is { } value) table.Time(field, value);
        else ((IFlowFieldSink)table).Null(field);
    }
}
