using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// Verdicts per evidence basis over a whole audit: how many flows were judged on content we inspected, on an
/// exporter's application id, on the port alone, or on a firewall's log. Reports lead with it, so that an audit of flow
/// records does not read as if its payloads had been looked at.
/// </summary>
public sealed class EvidenceBasis
{
    private static readonly FlowEvidence[] AllBases = Enum.GetValues<FlowEvidence>();
    private readonly long[,] _counts = new long[AllBases.Length, VerdictNames.All.Length];

    /// <summary>Counts one flow judged <paramref name="verdict"/> on <paramref name="evidence"/>.</summary>
    public void Add(FlowEvidence evidence, Verdict verdict) => _counts[(int)evidence, (int)verdict]++;

    /// <summary>Flows judged on <paramref name="evidence"/>, every verdict (ignored included).</summary>
    public long Flows(FlowEvidence evidence)
    {
        long sum = 0;
        for (int v = 0; v < _counts.GetLength(1); v++) sum += _counts[(int)evidence, v];
        return sum;
    }

    /// <summary>Flows judged <paramref name="verdict"/> on <paramref name="evidence"/>.</summary>
    public long Count(FlowEvidence evidence, Verdict verdict) => _counts[(int)evidence, (int)verdict];

    /// <summary>The bases that judged at least one flow, in <see cref="FlowEvidence"/> order.</summary>
    public IReadOnlyList<FlowEvidence> Bases => AllBases.Where(e => Flows(e) > 0).ToArray();
}
