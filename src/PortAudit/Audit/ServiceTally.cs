using System.Runtime.InteropServices;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Audit;

/// <summary>Counts, per address, the answered flows on each (transport, server port) with the application labels met there and how many had their other end on the Internet.</summary>
internal sealed class ServiceTally
{
    private readonly Dictionary<IpAddr, Dictionary<(Transport, int), Tally>> _hosts = [];

    // One address's flows on one service; filled in place, so that a flow counted allocates nothing.
    private sealed class Tally
    {
        public long Flows, Internet;
        public readonly List<AppLabel> Apps = [];
        public List<IpAddr>? Peers;
        public List<string>? Interfaces;
        public List<AppLabel>? Carried;
    }

    /// <summary>True when <paramref name="flow"/> was answered on a TCP or UDP port: a refused or ignored port serves nothing.</summary>
    public static bool Counts(Flow flow) =>
        flow.State is FlowState.Established or FlowState.Midstream
        && FlowClassifier.ToTransport(flow.Protocol) is Transport.Tcp or Transport.Udp;

    /// <summary>True when <paramref name="flow"/> went to a TCP or UDP port and was not answered there: an attempt.</summary>
    public static bool IsAttempt(Flow flow) =>
        !Counts(flow) && FlowClassifier.ToTransport(flow.Protocol) is Transport.Tcp or Transport.Udp;

    /// <summary>
    /// Counts <paramref name="flow"/> for <paramref name="address"/>, keeping its other end among the service's first
    /// <see cref="ServedService.MaxPeers"/> peers when <paramref name="keepPeer"/> (a draft orders ties by answered flows' peers).
    /// </summary>
    public void Add(IpAddr address, Flow flow, bool keepPeer = false)
    {
        if (!_hosts.TryGetValue(address, out var services))
            _hosts.Add(address, services = []);
        var key = ((Transport)flow.Protocol, (int)flow.ServerPort);
        ref var tally = ref CollectionsMarshal.GetValueRefOrAddDefault(services, key, out _);
        tally ??= new Tally();
        tally.Flows++;
        if (flow.App is { } app && !tally.Apps.Contains(app)) tally.Apps.Add(app);
        if (flow.DceRpc is not null || flow.RpcCalls is not null) AddInterfaces(tally, flow);
        if (ProtocolExpectations.Carried(flow) is { } carried && !(tally.Carried ??= new List<AppLabel>(1)).Contains(carried))
            tally.Carried.Add(carried);
        var peer = address == flow.Server ? flow.Client : flow.Server;
        if (!IpPrefix.IsPrivateUse(peer)) tally.Internet++;
        if (!keepPeer) return;
        tally.Peers ??= new List<IpAddr>(1);
        if (tally.Peers.Count < ServedService.MaxPeers && !tally.Peers.Contains(peer)) tally.Peers.Add(peer);
    }

    // The named interfaces the flow bound (its first, from inspection or the endpoint mapper, and every binding).
    private static void AddInterfaces(Tally tally, Flow flow)
    {
        Add(tally, flow.DceRpc?.Name);
        if (flow.RpcCalls is { } calls)
            foreach (var binding in calls.Bindings) Add(tally, binding.Name);

        static void Add(Tally tally, string? name)
        {
            if (name is null || (tally.Interfaces ??= []).Count >= ServedService.MaxInterfaces || tally.Interfaces.Contains(name)) return;
            tally.Interfaces.Add(name);
        }
    }

    /// <summary>Every address counted, in address order.</summary>
    public IEnumerable<IpAddr> Addresses => _hosts.Keys.Order();

    /// <summary>The services of <paramref name="address"/>, busiest first.</summary>
    public IReadOnlyList<ServedService> Of(IpAddr address) =>
        _hosts.TryGetValue(address, out var services)
            ? services.Select(s => new ServedService(s.Key.Item1, s.Key.Item2, s.Value.Flows, s.Value.Apps) { InternetFlows = s.Value.Internet, Peers = s.Value.Peers ?? [], RpcInterfaces = s.Value.Interfaces ?? [], Carried = s.Value.Carried ?? [] })
                .OrderByDescending(s => s.Flows).ThenBy(s => s.Port).ToList()
            : [];
}
