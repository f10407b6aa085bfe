using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>Writes what was learned of a DCE/RPC interface into the flow record, the same way for binds and for mapper answers.</summary>
public static class DceRpcLabels
{
    /// <summary>
    /// Records the interface. A bind that agrees with the mapper's answer keeps the mapper as evidence (how it was first
    /// known); one that disagrees wins, because it is what the flow itself said. A flow's first bind is the one kept.
    /// </summary>
    public static void Apply(Flow flow, DceRpcFacts facts)
    {
        if (facts.Evidence == RpcEvidence.Bind && flow.DceRpc is { } known
            && (known.Evidence == RpcEvidence.Bind || known.Uuid == facts.Uuid))
            return;
        flow.App = AppLabel.DceRpc;
        flow.DceRpc = facts;
    }
}
