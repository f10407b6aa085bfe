using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// What learning and judging read of each flow they are handed, in the same way and order, so that a flow's features
/// mean the same in both: its rhythm (taken, so forgotten, for every flow), and for a flow a rule allows, its feature
/// set and its host pair's beat so far.
/// </summary>
public sealed class AllowedFlows(FlowRhythm rhythms)
{
    private readonly PairBeats _beats = new();

    /// <summary>
    /// Takes <paramref name="flow"/>'s rhythm and, when a rule allows it (<see cref="AnomalyJudge.Judges"/>), notes its
    /// start in its pair's beat and gives what its features need; false for any other verdict.
    /// </summary>
    public bool TryTake(Flow flow, FlowVerdict verdict, out AllowedFlow allowed)
    {
        var rhythm = rhythms.Take(flow);
        if (!AnomalyJudge.Judges(verdict))
        {
            allowed = default;
            return false;
        }
        allowed = new AllowedFlow(FlowFeatures.SetOf(flow, rhythm), rhythm, _beats.Note(flow));
        return true;
    }
}

/// <summary>An allowed flow's feature set, rhythm and host pair's beat (<see cref="AllowedFlows"/>).</summary>
/// <param name="Set">The features its source carries.</param>
/// <param name="Rhythm">Its data packets' rhythm, when packets were read.</param>
/// <param name="PairStartVariation">Its host pair's beat so far (<see cref="PairBeats"/>).</param>
public readonly record struct AllowedFlow(FeatureSet Set, Rhythm? Rhythm, double PairStartVariation)
{
    /// <summary>The flow's raw features; <paramref name="offHours"/> from the model that judges it (false in training).</summary>
    public double[] Raw(Flow flow, bool offHours) => FlowFeatures.Raw(flow, Set, Rhythm, new FeatureContext(PairStartVariation, offHours));
}
