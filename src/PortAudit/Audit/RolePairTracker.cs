using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>Traffic between one pair of role sets: flows, bytes both ways, and verdict counts.</summary>
/// <param name="ClientRoles">The client's roles joined by '+', or "(unmapped:SEGMENT)" / "(unmapped)".</param>
/// <param name="ServerRoles">The server's roles, in the same form.</param>
public sealed record RolePairStatistics(string ClientRoles, string ServerRoles)
{
    private readonly long[] _verdicts = new long[VerdictNames.All.Length];

    /// <summary>Flows between the pair.</summary>
    public long Flows { get; private set; }

    /// <summary>IP bytes both ways.</summary>
    public long Bytes { get; private set; }

    /// <summary>Flows with <paramref name="verdict"/>.</summary>
    public long Count(Verdict verdict) => _verdicts[(int)verdict];

    internal void Add(Flow flow, Verdict verdict)
    {
        Flows++;
        Bytes += flow.BytesToServer + flow.BytesToClient;
        _verdicts[(int)verdict]++;
    }
}

/// <summary>
/// Counts traffic per pair of role sets. A host's whole role set is one side of the key, so every flow is
/// counted once, never once per role.
/// </summary>
public sealed class RolePairTracker
{
    private readonly Dictionary<(string, string), RolePairStatistics> _pairs = [];

    /// <summary>Counts <paramref name="flow"/> under the role sets of its ends.</summary>
    public void Record(Flow flow, FlowVerdict verdict)
    {
        var key = (verdict.Client.RoleLabel, verdict.Server.RoleLabel);
        if (!_pairs.TryGetValue(key, out var pair))
            _pairs.Add(key, pair = new RolePairStatistics(key.Item1, key.Item2));
        pair.Add(flow, verdict.Verdict);
    }

    /// <summary>Every pair, busiest first.</summary>
    public IReadOnlyList<RolePairStatistics> Pairs =>
        _pairs.Values.OrderByDescending(p => p.Flows).ThenBy(p => p.ClientRoles, StringComparer.Ordinal)
            .ThenBy(p => p.ServerRoles, StringComparer.Ordinal).ToList();
}
