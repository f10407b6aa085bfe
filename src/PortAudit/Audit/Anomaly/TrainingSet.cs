using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Gathers the features of every flow a rule allows, by group (<see cref="GroupKey.Port"/>), while <c>portaudit learn</c>
/// audits the normal period: the judged-flow sink of its audit.
/// </summary>
public sealed class TrainingSet(FlowRhythm rhythms) : IAuditedFlowSink
{
    private readonly Dictionary<string, List<double[]>> _byPort = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _hours = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<long>> _ids = new(StringComparer.Ordinal);
    private readonly PairBeats _beats = new();
    private long _firstNs = long.MaxValue, _lastNs = long.MinValue;

    /// <summary>Raw features of the allowed flows, by port group.</summary>
    public IReadOnlyDictionary<string, List<double[]>> ByPort => _byPort;

    /// <summary>The flow id (<see cref="Flow.Id"/>) of each row of <see cref="ByPort"/>, at the same place: what labels a row in a measurement.</summary>
    public IReadOnlyDictionary<string, List<long>> FlowIdsByPort => _ids;

    /// <summary>Hours of the day (<see cref="HoursOfDay"/>) each port group's flows started in.</summary>
    public IReadOnlyDictionary<string, int> HoursByPort => _hours;

    /// <summary>Hours of the day the training period covered, from its first allowed flow's start to its last.</summary>
    public int CoveredHours => HoursOfDay.Covered(_firstNs, _lastNs);

    /// <summary>Allowed flows gathered.</summary>
    public long Flows { get; private set; }

    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict)
    {
        var rhythm = rhythms.Take(flow);
        if (!AnomalyJudge.Judges(verdict)) return;
        var set = FlowFeatures.SetOf(flow, rhythm);
        string key = GroupKey.Port(flow, verdict, set);
        if (!_byPort.TryGetValue(key, out var rows))
        {
            _byPort.Add(key, rows = []);
            _ids.Add(key, []);
        }
        _ids[key].Add(flow.Id);
        // A training flow is in its group's hours by definition: never off-hours.
        rows.Add(FlowFeatures.Raw(flow, set, rhythm, new FeatureContext(_beats.Note(flow), OffHours: false)));
        _hours[key] = _hours.GetValueOrDefault(key) | HoursOfDay.Bit(flow.StartNs);
        _firstNs = Math.Min(_firstNs, flow.StartNs);
        _lastNs = Math.Max(_lastNs, flow.StartNs);
        Flows++;
    }
}
