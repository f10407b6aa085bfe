using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Gathers the features of every flow a rule allows, by group (<see cref="GroupKey.Port"/>), while <c>portaudit learn</c>
/// audits the normal period: the judged-flow sink of its audit.
/// </summary>
public sealed class TrainingSet(FlowRhythm rhythms) : IAuditedFlowSink
{
    private readonly Dictionary<string, List<double[]>> _byPort = new(StringComparer.Ordinal);

    /// <summary>Raw features of the allowed flows, by port group.</summary>
    public IReadOnlyDictionary<string, List<double[]>> ByPort => _byPort;

    /// <summary>Allowed flows gathered.</summary>
    public long Flows { get; private set; }

    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict)
    {
        var rhythm = rhythms.Take(flow);
        if (!AnomalyJudge.Judges(verdict)) return;
        var set = FlowFeatures.SetOf(flow, rhythm);
        string key = GroupKey.Port(flow, verdict, set);
        if (!_byPort.TryGetValue(key, out var rows)) _byPort.Add(key, rows = []);
        rows.Add(FlowFeatures.Raw(flow, set, rhythm));
        Flows++;
    }
}
