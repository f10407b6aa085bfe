using PortAudit.Flows;

namespace PortAudit.Inspect.DceRpc;

/// <summary>Writes what was learned of a DCE/RPC interface into the flow record, the same way for binds and for mapper answers.</summary>
public static class DceRpcLabels
{
    /// <summary>The application label.</summary>
    public const string App = "dcerpc";

    /// <summary>rpcSource when an endpoint-mapper answer named the interface.</summary>
    public const string FromEpm = "epm";

    /// <summary>rpcSource when the flow itself named the interface (bind, alter-context, connectionless header).</summary>
    public const string FromBind = "bind";

    /// <summary>
    /// Records the interface. A bind that agrees with the mapper's answer keeps source "epm" (how it was first known);
    /// one that disagrees wins, because it is what the flow itself said.
    /// </summary>
    public static void Apply(Flow flow, Guid uuid, string source)
    {
        string text = uuid.ToString("D");
        if (flow.RpcSource == FromEpm && source == FromBind && flow.RpcInterfaceUuid == text) return;
        if (flow.RpcSource == FromBind && source == FromBind && flow.RpcInterfaceUuid is not null) return;
        flow.App = App;
        flow.RpcInterfaceUuid = text;
        flow.RpcInterface = RpcInterfaces.Name(uuid);
        flow.RpcSource = source;
    }
}
