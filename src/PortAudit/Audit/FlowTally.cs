using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>Counts flows and failed attempts with the time span they cover: the evidence behind findings and coverage.</summary>
public sealed class FlowTally
{
    private readonly long[] _byEvidence = new long[Enum.GetValues<FlowEvidence>().Length];

    /// <summary>Flows counted, failed attempts included.</summary>
    public long Flows { get; private set; }

    /// <summary>Of <see cref="Flows"/>, the failed attempts.</summary>
    public long FailedFlows { get; private set; }

    /// <summary>IP bytes both ways of the flows counted.</summary>
    public long Bytes { get; private set; }

    /// <summary>Of <see cref="Flows"/>, those with a time (<see cref="Flow.HasTime"/>): the ones <see cref="FirstNs"/> and <see cref="LastNs"/> span.</summary>
    public long Dated { get; private set; }

    /// <summary>Start of the first flow with a time, nanoseconds since the epoch; 0 without one.</summary>
    public long FirstNs { get; private set; }

    /// <summary>End of the last flow with a time, nanoseconds since the epoch; 0 without one.</summary>
    public long LastNs { get; private set; }

    /// <summary>
    /// Of <see cref="Flows"/>, those whose verdict rests on <paramref name="evidence"/>: a rule seen only through
    /// port-only records was seen at its port, not confirmed by content.
    /// </summary>
    public long Count(FlowEvidence evidence) => _byEvidence[(int)evidence];

    /// <summary>Counts <paramref name="flow"/>.</summary>
    public void Add(Flow flow, bool failed)
    {
        if (flow.HasTime)
        {
            if (Dated == 0 || flow.StartNs < FirstNs) FirstNs = flow.StartNs;
            if (flow.EndNs > LastNs) LastNs = flow.EndNs;
            Dated++;
        }
        Flows++;
        // Record counters may be near 2^63: the sum stops at long.MaxValue rather than turning negative.
        Bytes = Saturating.Add(Bytes, flow.Bytes);
        if (failed) FailedFlows++;
        _byEvidence[(int)flow.Evidence]++;
    }
}
