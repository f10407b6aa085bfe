using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// The names inspection knows for what a flow bound: the flow's facts (<see cref="DceRpcFacts"/>, <see cref="RpcBinding"/>)
/// hold only the UUIDs and opnums seen, and the tables of well-known interfaces and operations stay with the inspector
/// that reads them, so that the flow layer carries no protocol knowledge.
/// </summary>
public static class RpcFactNames
{
    extension(DceRpcFacts facts)
    {
        /// <summary>The interface's well-known name (NETLOGON, EPM...), or null when it is not in <see cref="RpcInterfaces"/>.</summary>
        public string? Name => RpcInterfaces.Name(facts.Uuid);

        /// <summary>True for the endpoint mapper's own interface.</summary>
        public bool IsEndpointMapper => facts.Uuid == RpcInterfaces.EndpointMapper;
    }

    extension(RpcBinding binding)
    {
        /// <summary>The interface's well-known name (DRSUAPI, SPOOLSS...), or null when it is not in <see cref="RpcInterfaces"/>.</summary>
        public string? Name => RpcInterfaces.Name(binding.Uuid);

        /// <summary>The name of operation <paramref name="opnum"/> of this interface (<see cref="RpcOperations"/>), or null.</summary>
        public string? OperationName(ushort opnum) => RpcOperations.Name(binding.Uuid, opnum);
    }
}
