using System.Globalization;
using PortAudit.Audit;

namespace PortAudit.Report;

/// <summary>
/// A rule instance's flows in words shared by report.md and report.html: a contradicted instance shows the protocol
/// mismatches on its path, which its own count (the flows the rule allowed) leaves out.
/// </summary>
public static class CoverageText
{
    /// <summary>
    /// The rule instances by status, as report.md's summary and report.html's overview give them: "40 rule instances: 12
    /// seen, 1 failed, ...", without a closing stop.
    /// </summary>
    public static string Counts(CoverageCounts c) =>
        $"{c.Instances} rule instances: {c.Seen} seen, {c.Failed} failed, " +
        $"{c.RequiredNeverSeen} required never seen (missing), {c.OptionalNeverSeen} optional never seen, " +
        $"{c.NotExercised} not exercised by this capture, {c.AlternativeSeen} covered by an alternative, " +
        $"{c.Contradicted} contradicted (only another protocol seen on their port)";

    /// <summary>", 25 mismatched" to follow an instance's flows when protocol mismatches were seen on its path; "" otherwise.</summary>
    public static string Mismatched(CoverageEntry entry) =>
        entry.Mismatches.Flows > 0 ? $", {entry.Mismatches.Flows.ToString(CultureInfo.InvariantCulture)} mismatched" : "";

    /// <summary>The flows whose basis and times a row gives: the rule's own, or for a contradicted instance the mismatches.</summary>
    public static FlowTally Shown(CoverageEntry entry) => entry.Status == CoverageStatus.Contradicted ? entry.Mismatches : entry.Tally;
}
