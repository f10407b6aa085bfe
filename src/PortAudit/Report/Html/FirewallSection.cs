using PortAudit.Audit.Firewall;
using PortAudit.Policy;
using PortAudit.Report.Audits;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// One enforcement point's policy against the catalog and the traffic, folded like the other sections: per required
/// instance allowed or blocked; per rule the catalog rules that justify it, the flows that used it, and whether it is
/// broader, shadowed or unused, with a filter bar; its NAT rules. The same rows as report.md's "Firewall NAME".
/// </summary>
internal sealed class FirewallSection(FirewallReport firewall, int index) : IReportSection
{
    public void Render(ReportCanvas canvas)
    {
        var page = canvas.Page;
        string id = $"firewall-{index}";
        int blocked = firewall.Instances.Count(i => i.Decision == PolicyDecision.Blocked);
        int unjustified = firewall.Rules.Count(r => r.Unjustified);
        page.BeginSection(id);
        page.BeginFold(2, $"Firewall {firewall.Name}",
            $"{ReportText.Count(blocked, "required rule blocked", "required rules blocked")}, {ReportText.Count(unjustified, "rule unjustified", "rules unjustified")}",
            open: blocked + unjustified > 0);
        page.Paragraph(FirewallReportWriter.Summary(firewall));
        if (firewall.Policy.Issues.Count > 0)
        {
            page.Heading(3, "Not understood");
            page.Table(["at", "not understood", "expected"], firewall.Policy.Issues.Select(i => (IReadOnlyList<string>)[i.Location.ToString(), i.Construct, i.Expected]));
        }
        page.Heading(3, "Required rules");
        page.FilterBar($"{id}-instances", [new TableFilter("policy", "Policy", Distinct(firewall.Instances.Select(Decision)))]);
        page.Table(FirewallReportWriter.InstanceHeaders, FirewallReportWriter.OrderedInstances(firewall).Select(i =>
            new TableRow(FirewallReportWriter.InstanceCells(i), Decision(i) == "blocked" ? "high" : null, [new("policy", Decision(i))])), sortable: true, $"{id}-instances");
        page.Heading(3, "Rules");
        page.FilterBar($"{id}-rules",
        [
            new TableFilter("standing", "Standing", Distinct(firewall.Rules.Select(Standing))),
            new TableFilter("use", "Use", Distinct(firewall.Rules.Select(Use))),
        ]);
        page.Table(FirewallReportWriter.RuleHeaders, firewall.Rules.Select(r =>
            new TableRow(FirewallReportWriter.RuleCells(r), Standing(r) == "unjustified" ? "medium" : null, [new("standing", Standing(r)), new("use", Use(r))])),
            sortable: true, $"{id}-rules");
        if (firewall.Policy.Nat.Any())
        {
            page.Heading(3, "Address translation");
            page.Table(FirewallReportWriter.NatHeaders, firewall.Policy.Nat.Select(r => (IReadOnlyList<string>)FirewallReportWriter.NatCells(r)));
        }
        page.EndFold();
        page.EndSection();
    }

    private static string Decision(InstancePolicy instance) => instance.Decision.ToString().ToLowerInvariant();

    // One word per rule for the filter: what matters most about it first.
    private static string Standing(RulePolicy rule) =>
        rule.ShadowedBy is not null ? "shadowed"
        : rule.Unjustified ? "unjustified"
        : rule.Rule.Action != PolicyAction.Accept ? "refuses"
        : rule.Broader.Count > 0 ? "broader"
        : "justified";

    private static string Use(RulePolicy rule) => rule.Unused ? "unused" : "used";

    private static List<string> Distinct(IEnumerable<string> values) => values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
