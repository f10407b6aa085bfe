using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Audit.Triage;

/// <summary>What an audit triages its findings with: a suppression file and a baseline report, each optional.</summary>
/// <param name="Suppressions">The entries of the suppression file, or null without one.</param>
/// <param name="SuppressionsName">The suppression file as given, or null.</param>
/// <param name="Baseline">The earlier report.json, or null without one.</param>
public sealed record TriageInputs(IReadOnlyList<Suppression>? Suppressions, string? SuppressionsName, RecordedReport? Baseline)
{
    /// <summary>No suppressions, no baseline: every finding is new and counts.</summary>
    public static readonly TriageInputs None = new(null, null, null);

    /// <summary>Loads the files given (either may be null), so that a bad one stops a run before any capture is read.</summary>
    /// <exception cref="InputException">A suppression file or a baseline that cannot be used.</exception>
    public static TriageInputs Load(string? suppressionsPath, string? baselinePath, RoleCatalog catalog) => new(
        suppressionsPath is null ? null : SuppressionLoader.Load(suppressionsPath, catalog),
        suppressionsPath,
        baselinePath is null ? null : RecordedReportReader.Read(baselinePath));
}
