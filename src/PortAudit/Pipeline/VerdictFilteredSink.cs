using PortAudit.Audit;

namespace PortAudit.Pipeline;

/// <summary>Passes on the judged flows whose verdict the filter's verdict terms select: what flows.jsonl holds under <c>--filter 'verdict …'</c>.</summary>
internal sealed class VerdictFilteredSink(IAuditedFlowSink inner, FlowFilter filter) : IAuditedFlowSink
{
    /// <inheritdoc />
    public void Write(Flows.Flow flow, FlowVerdict verdict)
    {
        if (filter.SelectsVerdict(verdict.Verdict)) inner.Write(flow, verdict);
    }
}
