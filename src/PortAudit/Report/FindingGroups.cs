using PortAudit.Audit;

namespace PortAudit.Report;

/// <summary>
/// Findings counted by kind, then by role pair within each kind, the most first: what report.html's findings open
/// with (each count a link that filters the list to it) and report.md's table of counts. An estate's audit has
/// thousands of findings of a few kinds between a few hundred pairs; these counts are what a reader triages by.
/// </summary>
internal static class FindingGroups
{
    /// <summary>The pair label of findings that belong to no pair.</summary>
    public const string NoPair = "(no traffic)";

    /// <summary>The findings of one role pair within a kind.</summary>
    public sealed record Pair(string Label, int Count);

    /// <summary>The findings of one kind: how many, and how many of them each role pair has, the most first.</summary>
    public sealed record Kind(string Name, int Count, IReadOnlyList<Pair> Pairs);

    /// <summary>Kinds, the most findings first (ties by name), each with its pairs the same way.</summary>
    public static IReadOnlyList<Kind> Of(IEnumerable<Finding> findings) =>
        findings.GroupBy(f => f.Kind.Name(), StringComparer.Ordinal)
            .Select(kind => new Kind(kind.Key, kind.Count(), kind.GroupBy(PairLabel, StringComparer.Ordinal)
                .Select(pair => new Pair(pair.Key, pair.Count()))
                .OrderByDescending(p => p.Count).ThenBy(p => p.Label, StringComparer.Ordinal).ToList()))
            .OrderByDescending(k => k.Count).ThenBy(k => k.Name, StringComparer.Ordinal).ToList();

    /// <summary>"client → server", as the findings list, its filter and these groups name a pair; <see cref="NoPair"/> for none.</summary>
    public static string PairLabel(Finding finding) =>
        finding.RolePair is { } pair ? PairLabel(pair.Client, pair.Server) : NoPair;

    /// <summary>"client → server".</summary>
    public static string PairLabel(string client, string server) => $"{client} → {server}";
}
