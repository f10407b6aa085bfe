using System.Globalization;
using PortAudit.Audit;

namespace PortAudit.Report;

/// <summary>
/// A rule instance's flows in words shared by report.md and report.html: a contradicted instance shows the protocol
/// mismatches on its path, which its own count (the flows the rule allowed) leaves out.
/// </summary>
public static class CoverageText
{
    /// <summary>", 25 mismatched" to follow an instance's flows when protocol mismatches were seen on its path; "" otherwise.</summary>
    public static string Mismatched(CoverageEntry entry) =>
        entry.Mismatches.Flows > 0 ? $", {entry.Mismatches.Flows.ToString(CultureInfo.InvariantCulture)} mismatched" : "";

    /// <summary>The flows whose basis and times a row gives: the rule's own, or for a contradicted instance the mismatches.</summary>
    public static FlowTally Shown(CoverageEntry entry) => entry.Status == CoverageStatus.Contradicted ? entry.Mismatches : entry.Tally;
}
