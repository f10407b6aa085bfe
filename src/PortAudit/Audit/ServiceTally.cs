using PortAudit.Catalog;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>Counts, per address, the answered flows on each (transport, server port) with the application labels met there and how many had their other end on the Internet.</summary>
internal sealed class ServiceTally
{
    private readonly Dictionary<IpAddr, Dictionary<(Transport, int), (long Flows, long Internet, List<AppLabel> Apps)>> _hosts = [];

    /// <summary>True when <paramref name="flow"/> was answered on a TCP or UDP port: a refused or ignored port serves nothing.</summary>
    public static bool Counts(Flow flow) =>
        flow.State is FlowState.Established or FlowState.Midstream
        && FlowClassifier.ToTransport(flow.Protocol) is Transport.Tcp or Transport.Udp;

    /// <summary>True when <paramref name="flow"/> went to a TCP or UDP port and was not answered there: an attempt.</summary>
    public static bool IsAttempt(Flow flow) =>
        !Counts(flow) && FlowClassifier.ToTransport(flow.Protocol) is Transport.Tcp or Transport.Udp;

    /// <summary>Counts <paramref name="flow"/> for <paramref name="address"/>.</summary>
    public void Add(IpAddr address, Flow flow)
    {
        if (!_hosts.TryGetValue(address, out var services))
            _hosts.Add(address, services = []);
        var key = ((Transport)flow.Protocol, (int)flow.ServerPort);
        var (flows, internet, apps) = services.GetValueOrDefault(key, (0, 0, []));
        if (flow.App is { } app && !apps.Contains(app)) apps.Add(app);
        var peer = address == flow.Server ? flow.Client : flow.Server;
        services[key] = (flows + 1, internet + (IpPrefix.IsPrivateUse(peer) ? 0 : 1), apps);
    }

    /// <summary>Every address counted, in address order.</summary>
    public IEnumerable<IpAddr> Addresses => _hosts.Keys.Order();

    /// <summary>The services of <paramref name="address"/>, busiest first.</summary>
    public IReadOnlyList<ServedService> Of(IpAddr address) =>
        _hosts.TryGetValue(address, out var services)
            ? services.Select(s => new ServedService(s.Key.Item1, s.Key.Item2, s.Value.Flows, s.Value.Apps) { InternetFlows = s.Value.Internet })
                .OrderByDescending(s => s.Flows).ThenBy(s => s.Port).ToList()
            : [];
}
