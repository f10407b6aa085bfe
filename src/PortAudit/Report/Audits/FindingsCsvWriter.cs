using System.Globalization;
using System.Text;
using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Report.Text;

namespace PortAudit.Report.Audits;

/// <summary>
/// findings.csv: one row per finding, in report.json's order, for the spreadsheets auditors work in. RFC 4180 with a
/// header row and LF line ends; every text cell goes through <see cref="CsvCell"/>, since host names, reasons and
/// explanations can carry packet text.
/// </summary>
public static class FindingsCsvWriter
{
    /// <summary>The columns, in order.</summary>
    public static readonly string[] Columns =
    [
        "id", "kind", "severity", "client_host", "server_host", "client_roles", "server_roles", "transport", "ports", "rule",
        "reason", "flows", "first", "last", "flow_ids", "status", "suppressed",
    ];

    /// <summary>Writes the findings of <paramref name="report"/> to <paramref name="output"/>.</summary>
    public static void Write(Stream output, AuditReport report)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        foreach (var finding in report.Findings) WriteRow(writer, finding, report.Triage);
    }

    private static void WriteRow(StreamWriter writer, Finding finding, FindingTriage triage)
    {
        var row = FindingRow.Of(finding, triage);
        static string? Time(long? ns) => ns is { } value ? Timestamps.ToIso(value) : null;
        string?[] cells =
        [
            row.Id, row.Kind, row.Severity, row.ClientHost, row.ServerHost, string.Join(' ', row.ClientRoles),
            string.Join(' ', row.ServerRoles), row.Transport, row.Ports, row.Rule, row.Reason,
            row.Flows.ToString(CultureInfo.InvariantCulture), Time(row.FirstNs), Time(row.LastNs),
            string.Join(' ', row.FlowIds.Select(id => id.ToString(CultureInfo.InvariantCulture))), row.Status, row.Suppressed,
        ];
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) writer.Write(',');
            if (cells[i] is { } cell) CsvCell.Write(writer, cell);
        }
        writer.Write('\n');
    }
}

/// <summary>
/// The values of one finding's row in <see cref="FindingsCsvWriter.Columns"/>' order, typed, for every format that
/// writes findings as rows (findings.csv, findings.parquet). Times are null for a finding no flow was seen for.
/// </summary>
internal sealed record FindingRow(
    string Id, string Kind, string Severity, string? ClientHost, string? ServerHost, IReadOnlyList<string> ClientRoles,
    IReadOnlyList<string> ServerRoles, string? Transport, string? Ports, string? Rule, string? Reason, long Flows,
    long? FirstNs, long? LastNs, IReadOnlyList<long> FlowIds, string? Status, string? Suppressed)
{
    public static FindingRow Of(Finding finding, FindingTriage triage)
    {
        var tally = finding.Tally;
        bool dated = tally.Dated > 0;
        return new FindingRow(
            finding.Id, finding.Kind.Name(), finding.Severity.Name(), finding.ClientHost, finding.ServerHost,
            finding.ClientRoles, finding.ServerRoles, finding.Transport, finding.Ports, finding.Rule, finding.Reason, tally.Flows,
            dated ? tally.FirstNs : null, dated ? tally.LastNs : null, finding.FlowIds,
            triage.HasBaseline ? triage.StatusOf(finding).Name() : null, triage.SuppressionOf(finding)?.Justification);
    }
}
