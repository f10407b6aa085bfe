using PortAudit.Catalog;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>A port a host answered on, with how often and what inspection found there.</summary>
/// <param name="Transport">TCP or UDP.</param>
/// <param name="Port">The server port.</param>
/// <param name="Flows">Answered flows to it.</param>
/// <param name="Apps">Distinct application labels found by inspection, in the order met.</param>
public sealed record ServedService(Transport Transport, int Port, long Flows, IReadOnlyList<AppLabel> Apps)
{
    /// <summary>"tcp/135".</summary>
    public override string ToString() => $"{TransportNames.Name(Transport)}/{Port}";
}

/// <summary>
/// Collects, per server address, the TCP and UDP ports it answered on, for drafting an inventory from
/// traffic. Only answered flows count: a port that refused or ignored the client serves nothing.
/// </summary>
public sealed class ServedTrafficCollector : IFlowObserver
{
    private readonly Func<IpAddr, bool> _include;
    private readonly Dictionary<IpAddr, Dictionary<(Transport, int), (long Flows, List<AppLabel> Apps)>> _hosts = [];

    /// <summary>Collects for the server addresses <paramref name="include"/> accepts.</summary>
    public ServedTrafficCollector(Func<IpAddr, bool> include) => _include = include;

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        if (flow.State is not (FlowState.Established or FlowState.Midstream)
            || FlowClassifier.ToTransport(flow.Protocol) is not (Transport.Tcp or Transport.Udp) || !_include(flow.Server))
            return;
        if (!_hosts.TryGetValue(flow.Server, out var services))
            _hosts.Add(flow.Server, services = []);
        var key = ((Transport)flow.Protocol, (int)flow.ServerPort);
        var (flows, apps) = services.GetValueOrDefault(key, (0, []));
        if (flow.App is { } app && !apps.Contains(app)) apps.Add(app);
        services[key] = (flows + 1, apps);
    }

    /// <summary>Every host that served something, by address, with its services busiest first.</summary>
    public IReadOnlyList<(IpAddr Address, IReadOnlyList<ServedService> Services)> Hosts =>
        _hosts.OrderBy(h => h.Key)
            .Select(h => (h.Key, (IReadOnlyList<ServedService>)h.Value
                .Select(s => new ServedService(s.Key.Item1, s.Key.Item2, s.Value.Flows, s.Value.Apps))
                .OrderByDescending(s => s.Flows).ThenBy(s => s.Port).ToList()))
            .ToList();
}
