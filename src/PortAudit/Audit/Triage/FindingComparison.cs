namespace PortAudit.Audit.Triage;

/// <summary>Whether a finding was already in the baseline.</summary>
public enum FindingStatus
{
    /// <summary>Not in the baseline: what a change brought, and what fails a run.</summary>
    New,

    /// <summary>The same id is in the baseline.</summary>
    Unchanged,
}

/// <summary>Text forms of <see cref="FindingStatus"/>, and "resolved" for baseline findings absent now.</summary>
public static class FindingStatusNames
{
    /// <summary>The word for findings of the baseline that are gone.</summary>
    public const string Resolved = "resolved";

    /// <summary>new, unchanged.</summary>
    public static string Name(this FindingStatus status) => status == FindingStatus.New ? "new" : "unchanged";
}

/// <summary>Matches findings to a baseline by their stable id, the one comparison baselines and diffs share.</summary>
public static class FindingComparison
{
    /// <summary>
    /// The status of each of <paramref name="current"/> (named by <paramref name="idOf"/>), and the findings of
    /// <paramref name="baseline"/> no current finding has the id of, in the baseline's order.
    /// </summary>
    public static (IReadOnlyList<FindingStatus> Statuses, IReadOnlyList<RecordedFinding> Resolved) Compare<T>(
        IReadOnlyList<T> current, Func<T, string> idOf, IReadOnlyList<RecordedFinding> baseline)
    {
        var before = baseline.Select(f => f.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var now = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var statuses = new List<FindingStatus>(current.Count);
        foreach (var finding in current)
        {
            string id = idOf(finding);
            now.Add(id);
            statuses.Add(before.Contains(id) ? FindingStatus.Unchanged : FindingStatus.New);
        }
        return (statuses, baseline.Where(f => !now.Contains(f.Id)).ToList());
    }
}

/// <summary>What changed between two report.json files (<c>portaudit diff</c>).</summary>
/// <param name="New">Findings of the later report absent from the earlier one.</param>
/// <param name="Unchanged">Findings of the later report also in the earlier one.</param>
/// <param name="Resolved">Findings of the earlier report absent from the later one.</param>
public sealed record ReportDiff(IReadOnlyList<RecordedFinding> New, IReadOnlyList<RecordedFinding> Unchanged, IReadOnlyList<RecordedFinding> Resolved)
{
    /// <summary>Compares <paramref name="before"/> with <paramref name="after"/> by finding id.</summary>
    public static ReportDiff Of(RecordedReport before, RecordedReport after)
    {
        var (statuses, resolved) = FindingComparison.Compare(after.Findings, f => f.Id, before.Findings);
        var findings = after.Findings.Zip(statuses).ToList();
        return new ReportDiff(
            findings.Where(p => p.Second == FindingStatus.New).Select(p => p.First).ToList(),
            findings.Where(p => p.Second == FindingStatus.Unchanged).Select(p => p.First).ToList(),
            resolved);
    }

    /// <summary>New findings of <paramref name="kinds"/> that the later run did not suppress: what fails a diff.</summary>
    public int CountFailing(IReadOnlyCollection<FindingKind> kinds) => New.Count(f => kinds.Contains(f.Kind) && !f.Suppressed);
}
