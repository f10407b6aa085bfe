using PortAudit.Audit;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// Above the findings list: the findings counted by kind (one fold each, its count in the summary), and within a
/// kind by role pair, each count a link that sets the list's filter bar to that kind and pair, so a reader goes from
/// "412 unexpected-allowed, 300 of them edge → sql" to those rows in one click.
/// </summary>
internal sealed class FindingGroupsView(IReadOnlyList<Finding> findings)
{
    /// <summary>Pairs listed per kind, the most findings first; the rest are counted in one line.</summary>
    public const int MaxPairs = 100;

    public void Render(HtmlDocument page)
    {
        var kinds = FindingGroups.Of(findings);
        page.Heading(3, $"By kind and role pair: {ReportText.Count(kinds.Count, "kind", "kinds")}");
        foreach (var kind in kinds)
        {
            page.BeginFold(4, kind.Name, $"{ReportText.Count(kind.Count, "finding", "findings")}, {ReportText.Count(kind.Pairs.Count, "role pair", "role pairs")}");
            page.CountedLinks(kind.Pairs.Take(MaxPairs).Select(pair => new CountedLink(pair.Label, [new("kind", kind.Name), new("pair", pair.Label)], pair.Count)));
            if (kind.Pairs.Count > MaxPairs)
            {
                var rest = kind.Pairs.Skip(MaxPairs).ToList();
                page.Paragraph($"{ReportText.Count(rest.Count, "more role pair", "more role pairs")}, {ReportText.Count(rest.Sum(p => p.Count), "finding", "findings")}.");
            }
            page.EndFold();
        }
    }
}
