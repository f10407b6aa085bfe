using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>
/// The fields of a flow record in output order, with their camelCase names, shared by every format so that
/// jsonl, csv and table always agree.
/// </summary>
public static class FlowFields
{
    /// <summary>Field names in output order.</summary>
    public static readonly string[] Names =
    {
        "start", "end", "transport", "client", "clientPort", "server", "serverPort",
        "packetsToServer", "bytesToServer", "packetsToClient", "bytesToClient", "state",
        "app", "appDetail", "rpcInterface", "rpcInterfaceUuid", "rpcSource",
    };

    /// <summary>A field's value: a string, a long, or null.</summary>
    public static object? Value(Flow flow, int field) => field switch
    {
        0 => Timestamps.ToIso(flow.StartNs),
        1 => Timestamps.ToIso(flow.EndNs),
        2 => flow.Transport,
        3 => flow.Client.ToString(),
        4 => (long)flow.ClientPort,
        5 => flow.Server.ToString(),
        6 => (long)flow.ServerPort,
        7 => flow.PacketsToServer,
        8 => flow.BytesToServer,
        9 => flow.PacketsToClient,
        10 => flow.BytesToClient,
        11 => flow.State.Name(),
        12 => flow.App,
        13 => flow.AppDetail,
        14 => flow.RpcInterface,
        15 => flow.RpcInterfaceUuid,
        16 => flow.RpcSource,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
