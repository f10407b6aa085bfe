using PortAudit.Audit;
using PortAudit.Flows;

namespace PortAudit.Pipeline.Filter;

/// <summary>
/// Passes on the judged flows the whole filter selects, the audit's own terms included: what flows.jsonl holds under
/// <c>--filter 'not verdict expected'</c> or <c>'role edge-server'</c>.
/// </summary>
internal sealed class JudgedFilterSink(IAuditedFlowSink inner, FlowFilter filter) : IAuditedFlowSink
{
    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict)
    {
        if (filter.SelectsJudged(flow, verdict)) inner.Write(flow, verdict);
    }
}
