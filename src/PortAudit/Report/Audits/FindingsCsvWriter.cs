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
        var tally = finding.Tally;
        bool seen = tally.Flows > 0;
        string?[] cells =
        [
            finding.Id, finding.Kind.Name(), finding.Severity.Name(), finding.ClientHost, finding.ServerHost,
            string.Join(' ', finding.ClientRoles), string.Join(' ', finding.ServerRoles), finding.Transport, finding.Ports,
            finding.Rule, finding.Reason, tally.Flows.ToString(CultureInfo.InvariantCulture),
            seen ? Timestamps.ToIso(tally.FirstNs) : null, seen ? Timestamps.ToIso(tally.LastNs) : null,
            string.Join(' ', finding.FlowIds.Select(id => id.ToString(CultureInfo.InvariantCulture))),
            triage.HasBaseline ? triage.StatusOf(finding).Name() : null,
            triage.SuppressionOf(finding)?.Justification,
        ];
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) writer.Write(',');
            if (cells[i] is { } cell) CsvCell.Write(writer, cell);
        }
        writer.Write('\n');
    }
}
