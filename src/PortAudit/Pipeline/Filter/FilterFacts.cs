using PortAudit.Audit;
using PortAudit.Flows;

namespace PortAudit.Pipeline.Filter;

/// <summary>How much of a flow is known when a filter is asked about it.</summary>
public enum FilterStage
{
    /// <summary>While packets arrive: its ends, ports and transport.</summary>
    Reading,
    /// <summary>The flow has ended: its application label and state are final too.</summary>
    Ended,
    /// <summary>The audit has judged it: its verdict, rule, and its ends' roles and zones as well.</summary>
    Judged,
}

/// <summary>What a filter may ask of one flow: the flow, how far it has come, and its verdict once judged.</summary>
internal readonly record struct FilterFacts(Flow Flow, FilterStage Stage, FlowVerdict? Verdict)
{
    /// <summary>True once the flow's application label and state are final.</summary>
    public bool Ended => Stage >= FilterStage.Ended;
}
