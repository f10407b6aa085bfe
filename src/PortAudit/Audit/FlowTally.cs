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

    /// <summary>
    /// Of <see cref="Flows"/>, openings left unanswered when their input ended less than 1 s after they began
    /// (<see cref="FlowVerdict.UnansweredAtEnd"/>): neither failed nor shown through.
    /// </summary>
    public long UnansweredAtEndFlows { get; private set; }

    /// <summary>Whether none of the flows was seen through: each a failed attempt or unanswered at the end of its input.</summary>
    public bool NoneSeenThrough => Flows > 0 && FailedFlows + UnansweredAtEndFlows == Flows;

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

    /// <summary>Counts <paramref name="flow"/>, a failed attempt or unanswered at the end of its input as its verdict says.</summary>
    public void Add(Flow flow, bool failed, bool unansweredAtEnd = false)
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
        if (unansweredAtEnd) UnansweredAtEndFlows++;
        _byEvidence[(int)flow.Evidence]++;
    }
}
