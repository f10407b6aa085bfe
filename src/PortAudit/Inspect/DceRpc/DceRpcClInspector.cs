using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Connectionless DCE/RPC (ncadg_ip_udp): every PDU names its interface in the header, so the first valid one
/// both claims the flow and names the interface (reported with source "bind": the flow itself said it).
/// </summary>
public sealed class DceRpcClInspector() : Inspector(new(AppLabel.DceRpc, Udp, [135, 34964], InspectorPrecision.Signature, 20)
{
    // rpc_vers: 4 for a connectionless PDU, the only value ClHeader reads.
    FirstBytes = Leading(4),
})
{
    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (input.IsTcp || !ClHeader.TryRead(input.Data, out var header)) return InspectResult.NoMatch;
        if (header.Interface != Guid.Empty) DceRpcLabels.Apply(input.Flow, new DceRpcFacts(header.Interface, null, null, RpcEvidence.Bind));
        input.Flow.AppDetail ??= AppDetail.Word(header.Type == ClHeader.Request ? "request" : header.Type == ClHeader.Response ? "response" : "pdu");
        return InspectResult.Match;
    }
}
