using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>One endpoint-mapper answer: which interface the mapper placed on which address and port, and when.</summary>
public sealed class RpcMapping : IAnnouncement
{
    /// <inheritdoc />
    /// <remarks>A bind on the mapped port that names another interface wins over the mapping.</remarks>
    public bool Refinable => true;

    /// <inheritdoc />
    public void Apply(Flow flow)
    {
        DceRpcLabels.Apply(flow, new DceRpcFacts(InterfaceUuid, MajorVersion, null, RpcEvidence.EndpointMapper));
        AddUse(new RpcMappingUse(flow.Id, flow.StartNs, flow.Client, flow.ClientPort));
    }

    /// <summary>Capture time of the answer, nanoseconds since the epoch.</summary>
    public required long TimeNs { get; init; }

    /// <summary>The endpoint mapper that answered.</summary>
    public required IpAddr Mapper { get; init; }

    /// <summary>The mapper's port (135 usually).</summary>
    public required ushort MapperPort { get; init; }

    /// <summary>Who asked.</summary>
    public required IpAddr Client { get; init; }

    /// <summary>The interface mapped.</summary>
    public required Guid InterfaceUuid { get; init; }

    /// <summary>The interface's major version as the tower gave it, when known.</summary>
    public ushort? MajorVersion { get; init; }

    /// <summary>Its well-known name, or null.</summary>
    public string? InterfaceName => RpcInterfaces.Name(InterfaceUuid);

    /// <summary>IP protocol of the mapped endpoint (TCP or UDP).</summary>
    public required byte Transport { get; init; }

    /// <summary>The mapped address (the mapper's own when the tower gave none).</summary>
    public required IpAddr Address { get; init; }

    /// <summary>The mapped port.</summary>
    public required ushort Port { get; init; }

    /// <summary>Most uses kept per mapping: a client hammering one mapped port costs no memory per flow past it.</summary>
    public const int MaxUses = 100;

    private readonly List<RpcMappingUse> _uses = [];

    /// <summary>The first <see cref="MaxUses"/> later flows that went to the mapped address and port while the answer was fresh.</summary>
    public IReadOnlyList<RpcMappingUse> Uses => _uses;

    /// <summary>Every such flow, kept in <see cref="Uses"/> or not.</summary>
    public long UseCount { get; private set; }

    internal void AddUse(RpcMappingUse use)
    {
        UseCount++;
        if (_uses.Count < MaxUses) _uses.Add(use);
    }
}

/// <summary>A flow that used a mapping.</summary>
/// <param name="FlowId">The flow's id in this run.</param>
/// <param name="StartNs">When it began.</param>
/// <param name="Client">Who opened it.</param>
/// <param name="ClientPort">From which port.</param>
public readonly record struct RpcMappingUse(long FlowId, long StartNs, IpAddr Client, ushort ClientPort);
