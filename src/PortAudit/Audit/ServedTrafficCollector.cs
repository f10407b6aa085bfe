using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>A port a host answered on, with how often and what inspection found there.</summary>
/// <param name="Transport">TCP or UDP.</param>
/// <param name="Port">The server port.</param>
/// <param name="Flows">Answered flows to it.</param>
/// <param name="Apps">Distinct application labels found by inspection, in the order met.</param>
public sealed record ServedService(Transport Transport, int Port, long Flows, IReadOnlyList<AppLabel> Apps)
{
    /// <summary>
    /// How many of the flows had their other end on the Internet (no address of private use): a port only private
    /// addresses used is no rule's whose other side is the Internet (an Edge's external interface).
    /// </summary>
    public long InternetFlows { get; init; }

    /// <summary>
    /// The hosts at the other end, the first <see cref="MaxPeers"/> seen: enough to tell which of the drafted roles it
    /// worked with (<see cref="Drafting.PeerTieBreak"/>), bounded for a server the whole Internet used.
    /// </summary>
    public IReadOnlyList<IpAddr> Peers { get; init; } = [];

    /// <summary>
    /// The named DCE/RPC interfaces bound on the service (at most <see cref="MaxInterfaces"/>): a rule that grants
    /// interfaces explains an RPC service only through one of them.
    /// </summary>
    public IReadOnlyList<string> RpcInterfaces { get; init; } = [];

    /// <summary>
    /// The applications the server selected by ALPN inside TLS or DTLS on the service (<see cref="ProtocolExpectations.Carried"/>),
    /// in the order met: a rule whose protocol carries none of them explains the port by its number alone, which the server's
    /// own choice contradicts (HTTP/2 on LDAPS's port is no domain controller's).
    /// </summary>
    public IReadOnlyList<AppLabel> Carried { get; init; } = [];

    /// <summary>How many interfaces <see cref="RpcInterfaces"/> keeps.</summary>
    public const int MaxInterfaces = 8;

    /// <summary>How many peers <see cref="Peers"/> keeps.</summary>
    public const int MaxPeers = 4;

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
    private readonly ServiceTally _served = new();

    /// <summary>Collects for the server addresses <paramref name="include"/> accepts.</summary>
    public ServedTrafficCollector(Func<IpAddr, bool> include) => _include = include;

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }


    /// <inheritdoc />

    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        if (ServiceTally.Counts(flow) && _include(flow.Server))
            _served.Add(flow.Server, flow);
    }

    /// <summary>Every host that served something, by address, with its services busiest first.</summary>
    public IReadOnlyList<(IpAddr Address, IReadOnlyList<ServedService> Services)> Hosts =>
        _served.Addresses.Select(a => (a, _served.Of(a))).ToList();
}
