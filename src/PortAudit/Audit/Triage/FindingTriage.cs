namespace PortAudit.Audit.Triage;

/// <summary>
/// Findings set against a baseline and a suppression file: each finding's status (new or unchanged), the entry that
/// suppresses it, the baseline's findings that are gone, and the entries that expired. Decides what fails a run:
/// only new (or, without a baseline, all) findings that no entry in force suppresses.
/// </summary>
public sealed class FindingTriage
{
    private readonly Dictionary<Finding, FindingStatus> _statuses;
    private readonly Dictionary<Finding, Suppression> _suppressed;

    private FindingTriage(TriageInputs inputs, Dictionary<Finding, FindingStatus> statuses, Dictionary<Finding, Suppression> suppressed,
        IReadOnlyList<RecordedFinding> resolved, IReadOnlyList<Suppression> expired)
    {
        Inputs = inputs;
        _statuses = statuses;
        _suppressed = suppressed;
        Resolved = resolved;
        Expired = expired;
    }

    /// <summary>No baseline and no suppressions.</summary>
    public static readonly FindingTriage None = new(TriageInputs.None, [], [], [], []);

    /// <summary>The suppression file and baseline applied.</summary>
    public TriageInputs Inputs { get; }

    /// <summary>True when a baseline was given, so findings have a status and resolved ones are listed.</summary>
    public bool HasBaseline => Inputs.Baseline is not null;

    /// <summary>True when a suppression file was given.</summary>
    public bool HasSuppressions => Inputs.Suppressions is not null;

    /// <summary>Baseline findings no current finding has the id of.</summary>
    public IReadOnlyList<RecordedFinding> Resolved { get; }

    /// <summary>Entries past their expiry date: they suppressed nothing.</summary>
    public IReadOnlyList<Suppression> Expired { get; }

    /// <summary>Findings some entry in force suppresses.</summary>
    public int SuppressedCount => _suppressed.Count;

    /// <summary>Findings of this run with <paramref name="status"/>; without a baseline every finding is new.</summary>
    public int Count(IEnumerable<Finding> findings, FindingStatus status) => findings.Count(f => StatusOf(f) == status);

    /// <summary>New or unchanged; new for every finding when there is no baseline.</summary>
    public FindingStatus StatusOf(Finding finding) => _statuses.GetValueOrDefault(finding, FindingStatus.New);

    /// <summary>The entry in force that suppresses <paramref name="finding"/> (the first in file order), or null.</summary>
    public Suppression? SuppressionOf(Finding finding) => _suppressed.GetValueOrDefault(finding);

    /// <summary>True when <paramref name="finding"/> fails a run failing on <paramref name="kinds"/>: new, unsuppressed, of those kinds.</summary>
    public bool Fails(Finding finding, IReadOnlyCollection<FindingKind> kinds) =>
        kinds.Contains(finding.Kind) && StatusOf(finding) == FindingStatus.New && SuppressionOf(finding) is null;

    /// <summary>Sets <paramref name="findings"/> against <paramref name="inputs"/> on <paramref name="today"/>.</summary>
    /// <param name="findings">The run's findings.</param>
    /// <param name="inputs">Suppressions and baseline.</param>
    /// <param name="hosts">Resolves host names to their inventory prefixes, for address and prefix matchers.</param>
    /// <param name="today">The date expiry is judged on.</param>
    public static FindingTriage Apply(IReadOnlyList<Finding> findings, TriageInputs inputs, HostPrefixes hosts, DateOnly today)
    {
        var statuses = new Dictionary<Finding, FindingStatus>(ReferenceEqualityComparer.Instance);
        IReadOnlyList<RecordedFinding> resolved = [];
        if (inputs.Baseline is { } baseline)
        {
            var compared = FindingComparison.Compare(findings, f => f.Id, baseline.Findings);
            for (int i = 0; i < findings.Count; i++) statuses[findings[i]] = compared.Statuses[i];
            resolved = compared.Resolved;
        }
        var entries = inputs.Suppressions ?? [];
        var inForce = entries.Where(s => !s.IsExpired(today)).ToList();
        var suppressed = new Dictionary<Finding, Suppression>(ReferenceEqualityComparer.Instance);
        foreach (var finding in findings)
        {
            var facts = FindingFacts.Of(finding);
            if (inForce.FirstOrDefault(s => s.Matches(facts, hosts)) is { } entry) suppressed[finding] = entry;
        }
        return new FindingTriage(inputs, statuses, suppressed, resolved, entries.Where(s => s.IsExpired(today)).ToList());
    }
}
