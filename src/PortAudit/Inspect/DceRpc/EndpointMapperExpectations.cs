using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// What the endpoint mappers announced: each mapping is expected at its address and port in the shared table of
/// <see cref="AnnouncedConnections"/>, and a new flow that goes there is labelled with the mapped interface (evidence
/// <see cref="RpcEvidence.EndpointMapper"/>). Keeps every mapping for <c>portaudit rpc</c>.
/// </summary>
public sealed class EndpointMapperExpectations
{
    private readonly AnnouncedConnections _announced;

    /// <summary>Creates an empty list whose mappings are expected in <paramref name="announced"/>.</summary>
    public EndpointMapperExpectations(AnnouncedConnections announced) => _announced = announced;

    /// <summary>Every mapping seen, in order.</summary>
    public List<RpcMapping> Mappings { get; } = new();

    /// <summary>Records a mapping; a later answer for the same endpoint replaces an earlier one.</summary>
    public void Add(RpcMapping mapping)
    {
        Mappings.Add(mapping);
        _announced.Announce(mapping.Address, mapping.Port, mapping.Transport, mapping);
    }
}
