using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Gathers the features of every flow a rule allows, by group (<see cref="GroupKey.Port"/>), while <c>portaudit learn</c>
/// audits the normal period: the judged-flow sink of its audit.
/// </summary>
public sealed class TrainingSet(FlowRhythm rhythms) : IAuditedFlowSink
{
    private readonly Dictionary<string, TrainingGroup> _groups = new(StringComparer.Ordinal);
    private readonly AllowedFlows _allowed = new(rhythms);
    private long _firstNs = long.MaxValue, _lastNs = long.MinValue;

    /// <summary>The allowed flows by port group (<see cref="GroupKey.Port"/>).</summary>
    public IReadOnlyDictionary<string, TrainingGroup> Groups => _groups;

    /// <summary>Hours of the day the training period covered, from its first allowed flow's start to its last.</summary>
    public int CoveredHours => HoursOfDay.Covered(_firstNs, _lastNs);

    /// <summary>Start of the first training flow with a time, nanoseconds since the epoch; 0 without one.</summary>
    public long FirstNs => _lastNs < _firstNs ? 0 : _firstNs;

    /// <summary>Start of the last training flow with a time; 0 without one.</summary>
    public long LastNs => _lastNs < _firstNs ? 0 : _lastNs;

    /// <summary>Allowed flows gathered.</summary>
    public long Flows { get; private set; }

    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict)
    {
        if (!_allowed.TryTake(flow, verdict, out var allowed)) return;
        string key = GroupKey.Port(flow, verdict, allowed.Set);
        if (!_groups.TryGetValue(key, out var group)) _groups.Add(key, group = new TrainingGroup());
        // A training flow is in its group's hours by definition: never off-hours.
        group.Add(flow, allowed.Raw(flow, offHours: false));
        if (flow.HasTime)
        {
            _firstNs = Math.Min(_firstNs, flow.StartNs);
            _lastNs = Math.Max(_lastNs, flow.StartNs);
        }
        Flows++;
    }
}

/// <summary>One port group's training flows: their raw features, their ids at the same places, and the hours they started in.</summary>
public sealed class TrainingGroup
{
    /// <summary>Raw features, a row per flow.</summary>
    public List<double[]> Rows { get; } = [];

    /// <summary>The flow id (<see cref="Flow.Id"/>) of each row, at the same place: what labels a row in a measurement.</summary>
    public List<long> FlowIds { get; } = [];

    /// <summary>Hours of the day (<see cref="HoursOfDay"/>) the flows started in.</summary>
    public int Hours { get; private set; }

    internal void Add(Flow flow, double[] row)
    {
        Rows.Add(row);
        FlowIds.Add(flow.Id);
        // A flow without a time started in no hour: it teaches the group none.
        if (flow.HasTime) Hours |= HoursOfDay.Bit(flow.StartNs);
    }
}
