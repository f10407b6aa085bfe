using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// What the endpoint mappers announced: each mapping is expected for a limited time at its address and port,
/// and a new flow that goes there is labelled with the mapped interface (evidence <see cref="RpcEvidence.EndpointMapper"/>).
/// </summary>
public sealed class EndpointMapperExpectations
{
    private readonly Dictionary<(IpAddr Address, ushort Port, byte Transport), RpcMapping> _live = new();
    private readonly long _lifetimeNs;

    /// <summary>Creates an empty table whose mappings expire after <paramref name="lifetime"/> of capture time.</summary>
    public EndpointMapperExpectations(TimeSpan lifetime) => _lifetimeNs = lifetime.Ticks * 100;

    /// <summary>Every mapping seen, in order.</summary>
    public List<RpcMapping> Mappings { get; } = new();

    /// <summary>Records a mapping; a later answer for the same endpoint replaces an earlier one.</summary>
    public void Add(RpcMapping mapping)
    {
        Mappings.Add(mapping);
        _live[(mapping.Address, mapping.Port, mapping.Transport)] = mapping;
    }

    /// <summary>Labels <paramref name="flow"/> when its first packet goes to a fresh mapping; true when it did.</summary>
    public bool TryApply(Flow flow, in DecodedPacket packet)
    {
        if (_live.Count == 0 || !packet.HasPorts) return false;
        if (!TryFind(packet.Destination, packet.DestinationPort, flow.Protocol, flow.StartNs, out var mapping)
            && !TryFind(flow.Server, flow.ServerPort, flow.Protocol, flow.StartNs, out mapping))
            return false;
        Use(flow, mapping);
        return true;
    }

    /// <summary>
    /// Labels <paramref name="flow"/> when a fresh mapping names its server's address and port: for a flow whose sides
    /// were only learned from its content, after its first packet. True when it did.
    /// </summary>
    public bool TryApplyToServer(Flow flow)
    {
        if (_live.Count == 0 || !TryFind(flow.Server, flow.ServerPort, flow.Protocol, flow.StartNs, out var mapping)) return false;
        Use(flow, mapping);
        return true;
    }

    private static void Use(Flow flow, RpcMapping mapping)
    {
        DceRpcLabels.Apply(flow, new DceRpcFacts(mapping.InterfaceUuid, mapping.MajorVersion, null, RpcEvidence.EndpointMapper));
        mapping.AddUse(new RpcMappingUse(flow.Id, flow.StartNs, flow.Client, flow.ClientPort));
    }

    private bool TryFind(IpAddr address, ushort port, byte transport, long nowNs, out RpcMapping mapping)
    {
        var key = (address, port, transport);
        if (!_live.TryGetValue(key, out mapping!)) return false;
        if (nowNs - mapping.TimeNs <= _lifetimeNs && nowNs >= mapping.TimeNs) return true;
        if (nowNs - mapping.TimeNs > _lifetimeNs) _live.Remove(key);
        return false;
    }
}
