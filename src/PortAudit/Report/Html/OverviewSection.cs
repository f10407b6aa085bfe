using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Report.Audits;

namespace PortAudit.Report.Html;

/// <summary>What was audited against what, with the counts and the findings per kind, folded below the findings.</summary>
internal sealed class OverviewSection(AuditReport report, AuditInputs run) : IReportSection
{
    public void Render(ReportCanvas canvas)
    {
        var page = canvas.Page;
        page.BeginSection("audited");
        page.BeginFold(2, "What was audited", $"{ReportText.Count(report.Summary.Flows, "flow", "flows")}, {ReportText.Count(report.Findings.Count, "finding", "findings")}");
        page.Table(["audited", "what"], Facts(), sortable: false);
        page.Heading(3, "Findings by kind");
        page.Table(["kind", "findings", "flows", "what it means"],
            report.Summary.Findings.Keys.Select(k => (IReadOnlyList<string>)
            [
                k.Name(), report.Summary.Findings.GetValueOrDefault(k).ToString(System.Globalization.CultureInfo.InvariantCulture),
                report.Findings.Where(f => f.Kind == k).Sum(f => f.Tally.Flows).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Meaning(k),
            ]), sortable: false);
        RenderTriage(page);
        page.EndFold();
        page.EndSection();
    }

    // Baseline findings that are gone and suppressions that expired: what a reviewer checks after a change.
    private void RenderTriage(Plot.HtmlDocument page)
    {
        var triage = report.Triage;
        if (triage.HasBaseline && triage.Resolved.Count > 0)
        {
            page.Heading(3, "Resolved since the baseline");
            page.Table(["id", "finding", "client → server", "port", "rule"], triage.Resolved.Select(f => (IReadOnlyList<string>)
                [f.Id, $"{f.Severity} {f.Kind.Name()}", $"{f.ClientHost}\n→ {f.ServerHost}", f.Service, f.Rule ?? ""]));
        }
        if (triage.Expired.Count > 0)
        {
            page.Heading(3, "Expired suppressions");
            page.Paragraph("These entries suppress nothing until renewed.");
            page.Table(["entry", "expired", "owner", "matches", "justification"], triage.Expired.Select(e => (IReadOnlyList<string>)
                [e.Source, TriageText.Date(e.Expires), e.Owner, e.Describe(), e.Justification]));
        }
    }

    // Captures of different days span far more than they watched: say how much they cover when it is less by a second or more.
    private string Covered() =>
        report.Capture.CoveredNs is { } covered && run.LastNs - run.FirstNs - covered >= 1_000_000_000
            ? $", {ReportText.Duration(covered)} covered"
            : "";

    private IEnumerable<IReadOnlyList<string>> Facts()
    {
        var s = report.Summary;
        yield return ["Captures", string.Join("\n", run.Captures)];
        yield return ["Time span", run.LastNs == 0 ? "no packets"
            : $"{ReportText.Time(run.FirstNs)} to {ReportText.Time(run.LastNs)} ({ReportText.Duration(run.LastNs - run.FirstNs)}{Covered()})"];
        yield return ["Inventory", $"{run.InventoryName}: {ReportText.Count(run.Context.Inventory.Hosts.Count, "host", "hosts")}, " +
                                   ReportText.Count(run.Context.Inventory.Segments.Count, "segment", "segments")];
        yield return ["Catalog", $"{run.CatalogName}: {ReportText.Count(run.Context.Index.Rules.Count, "rule applies", "rules apply")} to this deployment"];
        yield return ["Flows", $"{ReportText.Count(s.Flows, "flow", "flows")}, {ReportText.Count(s.FailedAttempts, "failed attempt", "failed attempts")}: " +
                               string.Join(", ", s.Verdicts.Where(v => v.Value > 0).Select(v => $"{v.Value} {v.Key.Name()}"))];
        if (PacketText.Describe(report.Packets) is { } packets) yield return ["Packets", packets];
        if (EvidenceText.Summary(s.Evidence) is { } evidence)
            yield return ["Verdicts rest on", evidence + "\n" + string.Join("\n", s.Evidence.Bases.Select(e => $"{e.Name()}: {EvidenceText.Meaning(e)}"))];
        if (TriageText.Baseline(report) is { } baseline) yield return ["Baseline", baseline];
        if (TriageText.Suppressions(report.Triage) is { } suppressions) yield return ["Suppressions", suppressions];
        yield return ["Coverage", CoverageText.Counts(s.Coverage)];
        var seen = report.Capture;
        yield return ["Capture point", $"saw {seen.HostsSeen.Count} of {ReportText.Count(seen.InventoryHosts, "inventory host", "inventory hosts")}; " +
                                       $"zones {(seen.ZonesSeen.Count == 0 ? "none" : string.Join(", ", seen.ZonesSeen))}; " +
                                       $"a required flow never seen is missing only in captures of {ReportText.Duration((long)seen.MinimumSpan.TotalNanoseconds)} or more"];
    }

    /// <summary>What a finding of <paramref name="kind"/> says, one line beside its count; every kind has its own.</summary>
    internal static string Meaning(FindingKind kind) => kind switch
    {
        FindingKind.RequiredBlocked => "the firewall refuses or drops traffic a required rule needs",
        FindingKind.ProtocolMismatch => "the protocol seen is not the one the rule of that port allows",
        FindingKind.Unexpected => "traffic between known hosts that no rule allows",
        FindingKind.Missing => "a required rule no flow showed",
        FindingKind.PolicyBlocksRequired => "a firewall's own policy blocks what a required rule needs",
        FindingKind.PolicyBypass => "a flow crossed although the firewall's policy refuses it",
        FindingKind.PolicyUnjustified => "a firewall rule allows what no catalog rule needs",
        FindingKind.PolicyRefusedAllowed => "a flow was refused although the firewall's policy allows it",
        FindingKind.Unmapped => "traffic with an end the inventory does not name",
        FindingKind.RpcInterface => "a DCE/RPC interface or operation the roles of the two ends do not explain, on a port that may be allowed",
        FindingKind.WeakProtocol => "a weak protocol or a stream read two ways, even on an allowed port (SMB1, a cleartext LDAP bind, NTLMv1, Telnet or FTP across zones, TCP overlap or urgent data)",
        FindingKind.Anomalous => "allowed traffic that departs from what its role pair normally does (--model)",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a finding kind without a meaning"),
    };
}
