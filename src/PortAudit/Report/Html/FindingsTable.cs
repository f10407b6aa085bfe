using System.Globalization;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Audit.Triage;
using PortAudit.Report.Audits;

namespace PortAudit.Report.Html;

/// <summary>
/// A table of findings with their evidence: the hosts, port, how many flows and when, what inspection detected,
/// the rule and the row of the seed document it comes from, and sample flows.
/// </summary>
internal sealed class FindingsTable(IReadOnlyDictionary<string, Rule> rules, FindingTriage triage, AuditProvenance? provenance)
{
    // Few, wide columns: a dozen narrow ones wrapped timestamps and source rows a word per line.
    private static readonly string[] Headers =
        ["finding", "client → server", "port", "flows (failed), basis", "first / last seen", "detected protocol", "rule and source row", "sample flows",
         "where: frames, tshark filter"];

    /// <summary>Findings listed with their evidence in one section; the rest, the least urgent when given worst first, are counted.</summary>
    public const int MaxRows = 10;

    public void Render(ReportCanvas canvas, IReadOnlyCollection<Finding> findings)
    {
        if (findings.Count == 0)
        {
            canvas.Page.Paragraph("No findings.");
            return;
        }
        canvas.Page.Table(Headers, findings.Select(f => new Plot.TableRow(Row(f))), sortable: true, id: null, MaxRows, "report.json");
    }

    private IReadOnlyList<string> Row(Finding f) =>
    [
        $"{Badge(f)}{f.Severity.Name()} {f.Kind.Name()} {f.Id}:\n{Why(f)}{Suppressed(f)}",
        $"{ReportText.Host(f.ClientHost, f.ClientRoles)}\n→ {ReportText.Host(f.ServerHost, f.ServerRoles)}",
        f.Service,
        $"{FindingText.FlowsAndFailed(f.Tally)}\n{EvidenceText.Of(f.Tally)}",
        ReportText.Seen(f.Tally),
        ReportText.Detected(f.Samples),
        f.Rule is null ? "" : rules.TryGetValue(f.Rule, out var rule) ? $"{f.Rule}\n{ReportText.Source(rule.Source)}" : f.Rule,
        ReportText.Samples(f.Samples),
        string.Join("\n", new[] { FindingText.Frames(f, provenance), TsharkFilter.For(f) }.OfType<string>()),
    ];

    // The page escapes every cell; the badge is text like the rest: "[new, suppressed]" on the line above the kind.
    private string Badge(Finding f) => TriageText.Label(triage, f) is { Length: > 0 } label ? $"[{label}]\n" : "";

    private string Suppressed(Finding f) => triage.SuppressionOf(f) is { } entry ? "\n" + TriageText.Suppressed(entry) : "";

    private static string Why(Finding f) => FindingText.Why(f, "\n");
}
