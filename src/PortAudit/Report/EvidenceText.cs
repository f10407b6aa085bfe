using System.Globalization;
using PortAudit.Audit;
using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>
/// What verdicts rest on, in words shared by report.md and report.html: a flow record judged at its port must not read
/// as content we inspected, and a finding backed by a firewall's own log says so.
/// </summary>
public static class EvidenceText
{
    /// <summary>What a basis means for the verdicts that rest on it.</summary>
    public static string Meaning(FlowEvidence evidence) => evidence switch
    {
        FlowEvidence.Inspected => "packets whose payload our inspectors recognised: the application label is ours",
        FlowEvidence.ExporterAppId => "flow records whose exporter named the application; no payload was read by us",
        FlowEvidence.PortOnly => "flow records with addresses, ports and counters only, or packets whose payload no inspector recognised: the verdict rests on the port",
        _ => "a firewall's logged decision (built, permitted, denied) is direct evidence; the application is unknown",
    };

    /// <summary>"12 inspected, 3 port-only": the flows of <paramref name="tally"/> per basis; empty without flows.</summary>
    public static string Of(FlowTally tally) =>
        string.Join(", ", Enum.GetValues<FlowEvidence>().Where(e => tally.Count(e) > 0)
            .Select(e => $"{tally.Count(e).ToString(CultureInfo.InvariantCulture)} {e.Name()}"));

    /// <summary>"12 flows inspected, 40 port-only": every basis that judged a flow; null without flows.</summary>
    public static string? Summary(EvidenceBasis basis)
    {
        var bases = basis.Bases;
        if (bases.Count == 0) return null;
        return string.Join(", ", bases.Select((e, i) =>
            $"{basis.Flows(e).ToString(CultureInfo.InvariantCulture)}{(i == 0 ? basis.Flows(e) == 1 ? " flow" : " flows" : "")} {e.Name()}"));
    }
}
