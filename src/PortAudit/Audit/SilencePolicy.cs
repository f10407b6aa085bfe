using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Audit;

/// <summary>
/// Decides whether a flow that got no answer is a failed attempt (something a firewall may have dropped) or
/// silence the protocol itself explains. Broadcast and multicast destinations never answer as one host would, and
/// one-way protocols (notifications, NetBIOS datagrams, syslog, SNMP traps, media without return) send without
/// waiting for a reply: neither is evidence of a block, so neither may become a required-blocked finding. Nor may a
/// NetBIOS name packet that inspection read as a broadcast (B flag) or a response (R bit): a WINS server answers a
/// broadcast query by unicast, in a flow of its own that holds the response and nothing else. Nor may an ICMP message
/// that asks for nothing (an error, a reply, an advertisement: it is itself an answer), or a VXLAN or Geneve carrier:
/// each sends one direction of the tunnel from a source port of its own hash, so a working tunnel is two carriers
/// that each go unanswered, and what a block would show is the unanswered flows inside it.
/// A rejection (RST, ICMP unreachable) is always a failed attempt: something did answer, and said no; so is a flow a
/// firewall logged as denied (<see cref="FlowState.Blocked"/>). Silence is not, when the input ended less than 1 s after
/// the flow began (<see cref="IsUnansweredAtEnd"/>): the answer may have come after the capture stopped.
/// </summary>
public sealed class SilencePolicy
{
    // Catalog protocols that send without waiting for an answer. netbios-ns is not here: a unicast name query to a
    // WINS server is answered. Its broadcasts and responses are one-way by what inspection read (IsOneWay).
    private static readonly HashSet<string> OneWayProtocols = new(StringComparer.Ordinal)
    {
        "mapi-notify", "netbios-dgm", "syslog", "snmp-trap", "rtp", "rtcp",
    };

    // What inspection names of the same protocols, for flows no rule matched (SNMP counts only for traps).
    private static readonly AppLabel[] OneWayLabels = [AppLabel.NetBiosDgm, AppLabel.Rtp, AppLabel.Rtcp, AppLabel.Vxlan, AppLabel.Geneve];

    private readonly BroadcastDomains _subnetBroadcasts;

    /// <summary>Creates the policy for <paramref name="inventory"/>, whose prefixes name the subnet broadcast addresses.</summary>
    public SilencePolicy(Inventory inventory) : this(new BroadcastDomains(inventory))
    {
    }

    /// <summary>Creates the policy with the subnet broadcast addresses of an inventory already found.</summary>
    public SilencePolicy(BroadcastDomains subnetBroadcasts) => _subnetBroadcasts = subnetBroadcasts;

    /// <summary>
    /// True when <paramref name="flow"/> was rejected, or went unanswered although its destination and protocol
    /// expect an answer. <paramref name="rules"/> are the rules that matched the flow (none for flows no rule allows);
    /// one of them naming a one-way protocol is enough to explain the silence.
    /// </summary>
    public bool IsFailedAttempt(Flow flow, IReadOnlyList<Rule> rules)
    {
        // A logged deny is the firewall's own word that it blocked the flow.
        if (flow.State is FlowState.Rejected or FlowState.Blocked) return true;
        return !flow.CutOff && AwaitedAnswer(flow, rules);
    }

    /// <summary>
    /// True when <paramref name="flow"/> went unanswered although its destination and protocol expect an answer, but its
    /// input ended less than 1 s after it began (<see cref="Flow.CutOff"/>): unanswered at the end of input, neither a
    /// failed attempt nor one that got through. RFC 6298's initial retransmission timeout (1 s) is how long a TCP client
    /// waits for the answer before it sends again; an opening the capture watched for less cannot be said to have failed.
    /// </summary>
    public bool IsUnansweredAtEnd(Flow flow, IReadOnlyList<Rule> rules) => flow.CutOff && AwaitedAnswer(flow, rules);

    // Unanswered, by a destination and protocol that answer.
    private bool AwaitedAnswer(Flow flow, IReadOnlyList<Rule> rules)
    {
        if (flow.State != FlowState.Unanswered) return false;
        // Every packet of an unanswered flow went from its client, so the server is where they were sent.
        if (IsGroupDestination(flow.Server)) return false;
        if (flow.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6) return IcmpExchange.IsRequest(flow.Protocol, flow.IcmpType);
        return !IsOneWay(flow, rules);
    }

    /// <summary>
    /// True for destinations that stand for many hosts: IPv4 limited broadcast, the subnet broadcast of an
    /// inventory prefix, IPv4 multicast (224.0.0.0/4), IPv6 multicast (ff00::/8).
    /// </summary>
    public bool IsGroupDestination(IpAddr address) => address.IsGroup || _subnetBroadcasts.Contains(address);

    /// <summary>True when a matched rule or inspection names a protocol that does not answer.</summary>
    private static bool IsOneWay(Flow flow, IReadOnlyList<Rule> rules)
    {
        // One-way protocols are datagram protocols: an unanswered TCP opening is never how a protocol works.
        if (flow.Protocol != IpProtocol.Udp) return false;
        foreach (var rule in rules)
            if (OneWayProtocols.Contains(rule.Protocol))
                return true;
        return flow.App is { } app && (OneWayLabels.Contains(app) || (app.Equals(AppLabel.Snmp) && IsTrap(flow.AppDetail))
                                       || (app.Equals(AppLabel.NetBiosNs) && NetBiosNameInspector.ExpectsNoAnswer(flow.AppDetail)));
    }

    // The SNMP inspector names the PDU: "v1 trap", "v2c trap-v2".
    private static bool IsTrap(AppDetail? detail) =>
        detail is { Count: > 0 } && detail.ValueAt(0).Contains("trap", StringComparison.Ordinal);
}
