using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Scores every flow a rule allows against its group's model and counts those above the threshold in an
/// <see cref="FindingKind.Anomalous"/> finding. A flow no model covers is left unjudged (counted in
/// <see cref="Counts"/>), never judged by a model of features its source lacks.
/// </summary>
public sealed class AnomalyJudge(ModelSet models, FlowRhythm rhythms)
{
    /// <summary>Departing features quoted per finding.</summary>
    public const int QuotedFeatures = 3;

    /// <summary>The models.</summary>
    public ModelSet Models => models;

    private readonly long[] _judged = new long[Enum.GetValues<FeatureSet>().Length];
    private readonly AllowedFlows _allowed = new(rhythms);
    private long _unjudged;

    /// <summary>What the models judged so far.</summary>
    public AnomalyCounts Counts => new(Enum.GetValues<FeatureSet>().ToDictionary(s => s.Name(), s => _judged[(int)s]), _unjudged);

    /// <summary>True for the verdicts the models learn and judge: flows a rule allows that got through.</summary>
    public static bool Judges(FlowVerdict verdict) =>
        verdict.Verdict is Verdict.Expected or Verdict.ExpectedDynamicRpc && !verdict.FailedAttempt && !verdict.UnansweredAtEnd;

    /// <summary>The rhythm of each flow, kept while models are in use: <see cref="Record"/> takes it, whatever the verdict.</summary>
    public FlowRhythm Rhythms => rhythms;

    /// <summary>
    /// Scores <paramref name="flow"/> when a rule allows it and adds it to <paramref name="findings"/> when anomalous.
    /// Call for every flow: its rhythm is forgotten here. True when the flow is anomalous.
    /// </summary>
    public bool Record(Flow flow, FlowVerdict verdict, FindingBuilder findings)
    {
        // Every allowed flow counts in its pair's beat, as in learning, whether a model covers it or not.
        if (!_allowed.TryTake(flow, verdict, out var allowed)) return false;
        var set = allowed.Set;
        if (models.For(flow, verdict, set) is not { } model)
        {
            _unjudged++;
            return false;
        }
        _judged[(int)set]++;
        // A flow without a time is in no hour, so never off the pair's hours.
        var raw = allowed.Raw(flow, flow.HasTime && model.OffHours(flow.StartNs));
        var judgement = model.Judge(raw);
        if (!judgement.Anomalous) return false;
        var finding = findings.AddFlow(FindingKind.Anomalous, flow, verdict, verdict.Rule?.Id,
            $"allowed, but departs from what role pair {GroupKey.Pair(verdict)} does (model {model.Key})");
        finding.Anomaly?.Note(judgement, model.Key, model.Departures(raw, QuotedFeatures));
        return true;
    }
}

/// <summary>The allowed flows anomaly models judged, by feature set, and those no model of their set covered.</summary>
/// <param name="Judged">Flows scored, by feature set name (<see cref="FlowFeatures.Name"/>).</param>
/// <param name="Unjudged">Allowed flows no model covered: left unjudged rather than judged on features their source lacks.</param>
public sealed record AnomalyCounts(IReadOnlyDictionary<string, long> Judged, long Unjudged);
