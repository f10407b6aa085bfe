using System.Globalization;
using PortAudit.Audit;
using PortAudit.Audit.Anomaly;

namespace PortAudit.Report;

/// <summary>A finding's "where" in words, shared by report.md and report.html: frames, unnamed addresses, summarised ports.</summary>
public static class FindingText
{
    /// <summary>Most addresses or ports a line names; the rest are counted.</summary>
    public const int Listed = 5;

    /// <summary>
    /// "12 (3)": flows and failed attempts of a tally, and ", 2 unanswered at end" when openings the end of input cut
    /// off are among them (neither failed nor shown through), grouped as <paramref name="format"/> says ("N0" or none):
    /// the counts report.md and report.html give a finding, which its severity rests on.
    /// </summary>
    public static string FlowsAndFailed(FlowTally tally, string? format = null) =>
        $"{tally.Flows.ToString(format, CultureInfo.InvariantCulture)} ({tally.FailedFlows.ToString(format, CultureInfo.InvariantCulture)})"
        + (tally.UnansweredAtEndFlows > 0 ? $", {tally.UnansweredAtEndFlows.ToString(format, CultureInfo.InvariantCulture)} unanswered at end" : "");

    /// <summary>The sample flows whose first frame is known, in capture order (input, then frame).</summary>
    public static IEnumerable<FlowSample> FirstFrames(Finding finding) =>
        finding.Samples.Where(s => s.Frame > 0).OrderBy(s => s.Input).ThenBy(s => s.Frame);

    /// <summary>"lab.pcapng frames 12, 40" (one group per input), or null when no frame is known.</summary>
    public static string? Frames(Finding finding, AuditProvenance? provenance)
    {
        var groups = FirstFrames(finding).GroupBy(s => s.Input)
            .Select(g => $"{Input(provenance, g.Key)} frame{(g.Count() == 1 ? "" : "s")} " +
                         string.Join(", ", g.Select(s => s.Frame.ToString(CultureInfo.InvariantCulture))))
            .ToList();
        return groups.Count == 0 ? null : string.Join("; ", groups);
    }

    /// <summary>
    /// Why the finding was raised, its unnamed end's segment, what would explain it and what it counts, joined by
    /// <paramref name="separator"/>: the words every report shows beside a finding.
    /// </summary>
    public static string Why(Finding finding, string separator) =>
        string.Join(separator, new[]
        {
            Reason(finding), finding.Explanation, Counted(finding), Tunnelled(finding), Anomaly(finding),
        }.OfType<string>());

    /// <summary>
    /// Why the finding was raised, with its unnamed end's segment when it has one: "server address is not in the
    /// inventory (zone internal) (segment lab-outside)"; every report's and the console's first words on a finding.
    /// </summary>
    public static string? Reason(Finding finding) =>
        finding.Segment is null ? finding.Reason : $"{finding.Reason} (segment {finding.Segment})";

    /// <summary>
    /// An anomalous finding's score against its model's threshold and the features of its worst flow furthest from
    /// normal, each with the flow's value and the pair's normal range: "score 9.2 over threshold 2.1 (model
    /// workstation>file-server|tcp/445|timing); bytes-to-server 12,582,912 (normal 1,024 to 65,536)"; null for other findings.
    /// A feature among the furthest whose value lies inside the pair's range says so ("packets-to-server 55 (within normal 2
    /// to 55)"): the flow departs by the combination of its features, and that one alone would not be read as a departure.
    /// </summary>
    public static string? Anomaly(Finding finding)
    {
        if (finding.Anomaly is not { Threshold: > 0 } anomaly) return null;
        string statistic = anomaly.Statistic == Judgement.Feature ? "one feature's departure in standard deviations, " : "";
        string score = $"score {Number(anomaly.Score)} over threshold {Number(anomaly.Threshold)} ({statistic}model {anomaly.Model})";
        var departures = anomaly.Departures.Select(d =>
            $"{d.Feature} {Number(d.Value)} ({(d.Value >= d.Low && d.Value <= d.High ? "within normal" : "normal")} {Number(d.Low)} to {Number(d.High)})");
        return string.Join("; ", departures.Prepend(score));
    }

    /// <summary>
    /// How many of the finding's flows came inside a tunnel, and the first one's: "2 of its flows came inside a tunnel
    /// (vxlan 192.168.22.4:49762 → 192.168.22.5:4789), whose own flow is what a firewall between its ends saw"; null when
    /// none did.
    /// </summary>
    public static string? Tunnelled(Finding finding) => finding.TunnelledFlows == 0 ? null
        : $"{finding.TunnelledFlows.ToString(CultureInfo.InvariantCulture)} of its flows came inside a tunnel ({finding.FirstTunnel}), " +
          "whose own flow is what a firewall between its ends saw";

    // Counts read best grouped (12,582,912), small values to three decimals (0.031).
    private static string Number(double value) =>
        Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// The unnamed addresses and the ports of a zone pair, busiest first: "clients 203.0.113.7 (40), 203.0.113.9 (2)
    /// and 3 more (5 flows)", or null when the finding has none.
    /// </summary>
    public static string? Counted(Finding finding)
    {
        var parts = new[]
        {
            Line("clients", finding.ClientAddresses),
            Line("servers", finding.ServerAddresses),
            Line("ports", finding.ServerPorts),
        }.OfType<string>().ToList();
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string? Line<TKey>(string label, CappedCounter<TKey>? counter) where TKey : notnull, IComparable<TKey>
    {
        if (counter is null || counter.Distinct == 0) return null;
        var top = counter.Top(Listed);
        string text = $"{label} " + string.Join(", ", top.Select(t => $"{t.Key} ({t.Value.ToString(CultureInfo.InvariantCulture)})"));
        long rest = counter.FlowsBeyond(Listed);
        if (rest == 0) return text;
        string more = counter.Overflowed ? $"at least {counter.Distinct - top.Count} more" : $"{counter.Distinct - top.Count} more";
        return $"{text} and {more} ({rest.ToString(CultureInfo.InvariantCulture)} flows)";
    }

    private static string Input(AuditProvenance? provenance, int input) =>
        provenance?.InputName(input) is { } name ? Path.GetFileName(name) : $"input {input.ToString(CultureInfo.InvariantCulture)}";
}
