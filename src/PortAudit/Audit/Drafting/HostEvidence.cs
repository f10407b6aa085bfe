using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Audit.Drafting;

/// <summary>What the traffic showed of one address: what it served and initiated, the RPC interfaces it served, its names and the SRV services pointing at it.</summary>
/// <param name="Address">The address.</param>
/// <param name="Served">Ports it answered on, busiest first.</param>
/// <param name="Initiated">
/// Server ports it connected to, busiest first: answered, or tried and not answered when it had some answered flow (a
/// client whose Front End refuses 5061 still signs in on 5061: what it asks for says what it is, whatever the firewall does).
/// </param>
/// <param name="RpcInterfaces">Names of the DCE/RPC interfaces bound or mapped on it.</param>
/// <param name="Names">Names the traffic gave it, most telling first.</param>
/// <param name="Services">SRV services whose target resolves to it.</param>
public sealed record HostEvidence(
    IpAddr Address, IReadOnlyList<ServedService> Served, IReadOnlyList<ServedService> Initiated,
    IReadOnlyList<string> RpcInterfaces, IReadOnlyList<HostName> Names, IReadOnlyList<string> Services)
{
    /// <summary>
    /// Ports other hosts tried at it and were not answered on (refused, unreachable, silent), busiest first: what its
    /// clients expect it to serve, so evidence for a role even when a firewall keeps the answer away (a global catalog's 3268).
    /// </summary>
    public IReadOnlyList<ServedService> Attempted { get; init; } = [];

    /// <summary>What it said of itself as a directory server (rootDSE, DC locator ping), or null when it answered none.</summary>
    public DirectoryServerFacts? Directory { get; init; }

    /// <summary>
    /// Other hosts registered, refreshed or released NetBIOS names with it, addressed to it alone: what hosts send only
    /// to their WINS server (<see cref="NetBiosNameInspector.RegistersWithNameServer"/>).
    /// </summary>
    public bool TakesNameRegistrations { get; init; }

    /// <summary>The SMB shares clients connected to on it (upper case): a share of its own names a file server.</summary>
    public IReadOnlyList<string> Shares { get; init; } = [];

    /// <summary>
    /// True for a host at an address of no private use whose DNS names are all another organisation's
    /// (<see cref="OwnDomains"/>): drafted only by what it asked of us, with roles of other organisations' hosts.
    /// </summary>
    public bool OtherOrganisation { get; init; }

    /// <summary>The evidence of several addresses taken as one host (a client group).</summary>
    public static HostEvidence Merge(IpAddr address, IReadOnlyList<HostEvidence> parts) => new(
        address, MergeServices(parts.SelectMany(p => p.Served)), MergeServices(parts.SelectMany(p => p.Initiated)),
        parts.SelectMany(p => p.RpcInterfaces).Distinct().ToList(), parts.SelectMany(p => p.Names).Distinct().ToList(),
        parts.SelectMany(p => p.Services).Distinct().ToList())
    {
        Attempted = MergeServices(parts.SelectMany(p => p.Attempted)),
        Directory = parts.Select(p => p.Directory).Aggregate((DirectoryServerFacts?)null, (all, one) => one is null ? all : all?.With(one) ?? one),
        TakesNameRegistrations = parts.Any(p => p.TakesNameRegistrations),
        Shares = parts.SelectMany(p => p.Shares).Distinct().Order(StringComparer.Ordinal).ToList(),
        OtherOrganisation = parts.All(p => p.OtherOrganisation),
    };

    /// <summary>Services counted apart taken together: flows added up per transport and port, busiest first.</summary>
    public static List<ServedService> MergeServices(IEnumerable<ServedService> services) =>
        services.GroupBy(s => (s.Transport, s.Port))
            .Select(g => new ServedService(g.Key.Transport, g.Key.Port, g.Sum(s => s.Flows), g.SelectMany(s => s.Apps).Distinct().ToList())
            {
                InternetFlows = g.Sum(s => s.InternetFlows), Peers = g.SelectMany(s => s.Peers).Distinct().Take(ServedService.MaxPeers).ToList(),
                RpcInterfaces = g.SelectMany(s => s.RpcInterfaces).Distinct().Take(ServedService.MaxInterfaces).ToList(),
                Carried = g.SelectMany(s => s.Carried).Distinct().ToList(),
            })
            .OrderByDescending(s => s.Flows).ThenBy(s => s.Port).ToList();
}

/// <summary>
/// Collects, per address, the ports it served and the ports it was answered on as a client, and the RPC interfaces it
/// served (what inspection tied to a bind or an endpoint-mapper answer). Only answered flows count as served; a TCP or
/// UDP flow left unanswered counts as attempted at its server and, for a client that had some answered flow (not a
/// scanner), as initiated.
/// </summary>
public sealed class HostTrafficCollector : IFlowObserver
{
    private readonly ServiceTally _served = new(), _initiated = new(), _attempted = new(), _tried = new();
    private readonly Dictionary<IpAddr, HashSet<string>> _rpc = [];
    private readonly HashSet<IpAddr> _nameServers = [];

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }


    /// <inheritdoc />

    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        // Answered or not: a host registering its names with this address takes it for its WINS server either way.
        if (flow.App == AppLabel.NetBiosNs && NetBiosNameInspector.RegistersWithNameServer(flow.AppDetail))
            _nameServers.Add(flow.Server);
        if (!ServiceTally.Counts(flow))
        {
            if (!ServiceTally.IsAttempt(flow)) return;
            _attempted.Add(flow.Server, flow);
            _tried.Add(flow.Client, flow);
            return;
        }
        _served.Add(flow.Server, flow, keepPeer: true);
        _initiated.Add(flow.Client, flow, keepPeer: true);
        if (flow.DceRpc is { IsEndpointMapper: false, Name: { } name })
        {
            if (!_rpc.TryGetValue(flow.Server, out var set)) _rpc.Add(flow.Server, set = []);
            set.Add(name);
        }
    }

    /// <summary>The evidence of every address seen at either end of an answered flow, in address order, with names from <paramref name="names"/>.</summary>
    public IReadOnlyList<HostEvidence> Hosts(HostNameCollector names) =>
        _served.Addresses.Union(_initiated.Addresses).Order()
            .Select(a => new HostEvidence(a, _served.Of(a), HostEvidence.MergeServices(_initiated.Of(a).Concat(_tried.Of(a))),
                _rpc.TryGetValue(a, out var rpc) ? rpc.Order(StringComparer.Ordinal).ToList() : [], names.NamesOf(a), names.ServicesAt(a))
                { Attempted = _attempted.Of(a), Directory = names.DirectoryOf(a), TakesNameRegistrations = _nameServers.Contains(a),
                    Shares = names.SharesAt(a) })
            .ToList();
}
