using PortAudit.Audit.Timeline;
using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>Traffic between one pair of role sets: flows, bytes both ways, and verdict counts.</summary>
/// <param name="ClientRoles">The client's roles joined by '+', or "(unmapped:SEGMENT)" / "(unmapped)".</param>
/// <param name="ServerRoles">The server's roles, in the same form.</param>
/// <param name="Timeline">Flows and bytes over time per rule and verdict.</param>
public sealed record RolePairStatistics(string ClientRoles, string ServerRoles, RolePairTimeline Timeline)
{
    private readonly long[] _verdicts = new long[VerdictNames.All.Length];

    /// <summary>Bytes per server port and transport, per verdict (blocked required attempts apart).</summary>
    public PortTraffic Ports { get; } = new();

    /// <summary>Flows between the pair.</summary>
    public long Flows { get; private set; }

    /// <summary>IP bytes both ways.</summary>
    public long Bytes { get; private set; }

    /// <summary>Flows with <paramref name="verdict"/>.</summary>
    public long Count(Verdict verdict) => _verdicts[(int)verdict];

    internal void Add(Flow flow, FlowVerdict verdict)
    {
        long bytes = flow.Bytes;
        Flows++;
        Bytes = Saturating.Add(Bytes, bytes);
        _verdicts[(int)verdict.Verdict]++;
        // A flow without a time has no place on a timeline; it counts in the pair's totals and ports.
        if (flow.HasTime) Timeline.Add(verdict, flow.StartNs, flow.EndNs, bytes);
        Ports.Add(flow.Transport, flow.ServerPort, TrafficKey.Of(verdict), bytes);
    }
}

/// <summary>
/// Counts traffic per pair of role sets. A host's whole role set is one side of the key, so every flow is
/// counted once, never once per role.
/// </summary>
public sealed class RolePairTracker
{
    private readonly Dictionary<(string, string), RolePairStatistics> _pairs = [];
    // A pair of ends finds its statistics without hashing the role labels' text for every flow. Distinct ends with the
    // same labels (two hosts of one role set) still meet in _pairs.
    private readonly EndsTable<RolePairStatistics> _byEnds;

    /// <summary>An empty tracker.</summary>
    public RolePairTracker() => _byEnds = new(PairOf);

    /// <summary>The bin width every pair's timeline shares.</summary>
    public TimeBinClock Clock { get; } = new();

    /// <summary>Counts <paramref name="flow"/> under the role sets of its ends.</summary>
    public void Record(Flow flow, FlowVerdict verdict)
    {
        var pair = _byEnds.Of(verdict.Client, verdict.Server);
        // The clock widens before the flow is binned, so spreading its bytes never needs more than MaxBins steps.
        if (flow.HasTime) Clock.Cover(flow.StartNs, flow.EndNs);
        pair.Add(flow, verdict);
    }

    private RolePairStatistics PairOf(AuditEndpoint client, AuditEndpoint server)
    {
        var key = (client.RoleLabel, server.RoleLabel);
        if (!_pairs.TryGetValue(key, out var pair))
            _pairs.Add(key, pair = new RolePairStatistics(key.Item1, key.Item2, new RolePairTimeline(Clock)));
        return pair;
    }

    /// <summary>Every pair, busiest first.</summary>
    public IReadOnlyList<RolePairStatistics> Pairs =>
        _pairs.Values.OrderByDescending(p => p.Flows).ThenBy(p => p.ClientRoles, StringComparer.Ordinal)
            .ThenBy(p => p.ServerRoles, StringComparer.Ordinal).ToList();
}
