using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// How regularly a host pair opens flows to one port, over the allowed flows seen so far: RITA's beacon over many
/// connections, where each connection alone looks ordinary. Learning and judging note the same flows in the same
/// (judging) order, so a flow's value means the same in both. Memory is bounded: past <see cref="MaxPairs"/> pairs, a
/// new pair is not kept and its flows measure as a first flow's (no beat).
/// </summary>
public sealed class PairBeats
{
    /// <summary>Most host pairs kept.</summary>
    public const int MaxPairs = 1 << 20;

    /// <summary>
    /// Fewest gaps between a pair's starts before their variation is measured: over two or three gaps random starts
    /// look steady by chance (RITA likewise scores only pairs with enough connections). Below it the value is 1, that of
    /// random arrivals.
    /// </summary>
    public const int MinGaps = 10;

    private readonly Dictionary<(IpAddr Client, IpAddr Server, byte Protocol, ushort Port), Beat> _pairs = [];

    /// <summary>Notes <paramref name="flow"/>'s start and gives the coefficient of variation of its pair's gaps between starts so far.</summary>
    public double Note(Flow flow)
    {
        // Without a time there is no gap to measure: the flow neither beats nor breaks its pair's beat.
        if (!flow.HasTime) return new GapStatistics().Variation;
        var key = (flow.Client, flow.Server, flow.Protocol, flow.ServerPort);
        if (!_pairs.TryGetValue(key, out var beat))
        {
            if (_pairs.Count < MaxPairs) _pairs.Add(key, new Beat(flow.StartNs));
            return new GapStatistics().Variation;
        }
        // Flows are judged as they end, nearly in start order: a gap is the distance between two starts either way.
        beat.Gaps.Add(Math.Abs(flow.StartNs - beat.LastStartNs) / 1e9);
        beat.LastStartNs = flow.StartNs;
        return beat.Gaps.Count < MinGaps ? 1 : beat.Gaps.Variation;
    }

    private sealed class Beat(long startNs)
    {
        public long LastStartNs = startNs;
        public GapStatistics Gaps;
    }
}
