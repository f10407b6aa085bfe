namespace PortAudit.Flows.Facts;

/// <summary>How the DCE/RPC interface of a flow was learned.</summary>
public enum RpcEvidence
{
    /// <summary>An endpoint-mapper answer announced the flow's address and port beforehand (rpcSource "epm").</summary>
    EndpointMapper,

    /// <summary>The flow named the interface itself: bind, alter-context, connectionless header (rpcSource "bind").</summary>
    Bind,
}

/// <summary>Text forms of <see cref="RpcEvidence"/> used in flow records.</summary>
public static class RpcEvidenceNames
{
    /// <summary>"epm" or "bind".</summary>
    public static string Name(this RpcEvidence evidence) => evidence == RpcEvidence.EndpointMapper ? "epm" : "bind";

    /// <summary>The evidence <paramref name="name"/> names (<see cref="Name"/>'s words); false for any other text.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out RpcEvidence evidence)
    {
        evidence = name is "epm" ? RpcEvidence.EndpointMapper : RpcEvidence.Bind;
        return name is "epm" or "bind";
    }
}

/// <summary>What inspection learned of a flow's DCE/RPC interface: which one, which version, and from what evidence.</summary>
/// <param name="Uuid">The interface UUID.</param>
/// <param name="MajorVersion">The interface's major version, when the evidence carried it.</param>
/// <param name="MinorVersion">The interface's minor version, when the evidence carried it.</param>
/// <param name="Evidence">How it was learned.</param>
public sealed record DceRpcFacts(Guid Uuid, ushort? MajorVersion, ushort? MinorVersion, RpcEvidence Evidence);
