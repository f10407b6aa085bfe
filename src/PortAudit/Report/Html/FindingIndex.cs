using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>
/// The report's findings indexed once: worst first (severity, then flows, then id), by role pair, and without one.
/// Sections look findings up here instead of each scanning every finding, which made a report with many pairs
/// quadratic.
/// </summary>
internal sealed class FindingIndex
{
    private readonly ILookup<(string Client, string Server), Finding> _byPair;

    public FindingIndex(IEnumerable<Finding> findings)
    {
        Worst = findings.OrderBy(f => f.Severity).ThenByDescending(f => f.Tally.Flows).ThenBy(f => f.Id, StringComparer.Ordinal).ToList();
        _byPair = Worst.Where(f => f.RolePair is not null).ToLookup(f => f.RolePair!.Value);
        Unpaired = Worst.Where(f => f.RolePair is null).ToList();
    }

    /// <summary>Every finding, worst first.</summary>
    public IReadOnlyList<Finding> Worst { get; }

    /// <summary>Findings no traffic belongs to (required rules never seen), worst first.</summary>
    public IReadOnlyList<Finding> Unpaired { get; }

    /// <summary>The findings whose traffic came from <paramref name="pair"/>, worst first.</summary>
    public IEnumerable<Finding> Of(RolePairStatistics pair) => _byPair[(pair.ClientRoles, pair.ServerRoles)];
}
