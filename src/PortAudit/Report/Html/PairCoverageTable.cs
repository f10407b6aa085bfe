using PortAudit.Catalog;
using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>
/// The rule instances that concern one role pair, with what the capture showed of each (seen, failed, contradicted, never seen).
/// An instance for named hosts belongs to the pair of those hosts' role sets; one for any host belongs to every pair
/// whose side holds the rule's role (or to every pair, for a rule of role <c>any</c>).
/// </summary>
internal sealed class PairCoverageTable(IReadOnlyList<CoverageEntry> coverage, IReadOnlyDictionary<string, string> hostRoleLabels)
{

    /// <summary>Rule instances listed per pair, in status order; a pair of broad roles can have thousands.</summary>
    public const int MaxRows = 50;

    // The source rows stand in the findings; here they would make a pair with many unused rules pages long.
    private static readonly string[] Headers =
        ["status", "rule", "from host", "to host", "port", "protocol", "required", "flows (failed), basis", "first / last seen"];

    public void Render(ReportCanvas canvas, RolePairStatistics pair)
    {
        var entries = coverage.Where(e => Belongs(e.FromHost, e.Rule.From, pair.ClientRoles) && Belongs(e.ToHost, e.Rule.To, pair.ServerRoles))
            .OrderBy(e => e.Status).ThenBy(e => e.Rule.Id, StringComparer.Ordinal).ToList();
        if (entries.Count == 0)
        {
            canvas.Page.Paragraph("No catalog rule concerns this pair.");
            return;
        }
        canvas.Page.Paragraph($"{entries.Count(e => e.Status == CoverageStatus.Seen)} seen, {entries.Count(e => e.Status == CoverageStatus.Failed)} failed, " +
                              $"{entries.Count(e => e.Status == CoverageStatus.Contradicted)} contradicted, " +
                              $"{entries.Count(e => e.Status == CoverageStatus.NeverSeen)} never seen.");
        canvas.Page.Table(Headers, entries.Select(e => new Plot.TableRow(
        [
            e.Status.Name(), e.Rule.Id, e.FromHost, e.ToHost, $"{string.Join(",", e.Rule.Ports)}/{e.Rule.TransportName}", e.Rule.Protocol,
            e.Rule.Required ? "yes" : "no", $"{e.Tally.Flows} ({e.Tally.FailedFlows}){CoverageText.Mismatched(e)}\n{EvidenceText.Of(CoverageText.Shown(e))}",
            ReportText.Seen(CoverageText.Shown(e)),
        ])), sortable: true, id: null, MaxRows, "report.json");
    }

    private bool Belongs(string host, RuleSide side, string pairLabel) =>
        host == CoverageEntry.AnyHost
            ? side.HasWildcard || pairLabel.Split('+').Any(side.Contains)
            : hostRoleLabels.TryGetValue(host, out var label) && label == pairLabel;
}
