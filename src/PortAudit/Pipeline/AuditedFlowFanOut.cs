using PortAudit.Audit;
using PortAudit.Flows;

namespace PortAudit.Pipeline;

/// <summary>Hands each judged flow to several sinks in order: flows.jsonl, then <see cref="AuditSettings.JudgedFlowSinks"/>.</summary>
internal sealed class AuditedFlowFanOut(IAuditedFlowSink[] sinks) : IAuditedFlowSink
{
    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict)
    {
        foreach (var sink in sinks) sink.Write(flow, verdict);
    }

    /// <inheritdoc />
    public void WriteAll(ReadOnlySpan<Flow> flows, ReadOnlySpan<FlowVerdict> verdicts)
    {
        foreach (var sink in sinks) sink.WriteAll(flows, verdicts);
    }
}
