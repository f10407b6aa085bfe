using PortAudit.Common;

namespace PortAudit.Catalog;

/// <summary>
/// One port requirement of one product: traffic that role <see cref="From"/> opens to role
/// <see cref="To"/> on the given transports and ports.
/// </summary>
public sealed record Rule
{
    /// <summary>Stable identifier; reports and suppressions refer to rules by it.</summary>
    public required string Id { get; init; }

    /// <summary>Product whose document states the requirement.</summary>
    public required string Product { get; init; }

    /// <summary>The hosts that open the connection (the client side).</summary>
    public required RuleSide From { get; init; }

    /// <summary>The hosts that listen (the server side).</summary>
    public required RuleSide To { get; init; }

    /// <summary>IP protocols; two entries (TCP and UDP) when the file says "both".</summary>
    public required IReadOnlyList<Transport> Transports { get; init; }

    /// <summary>Destination ports; empty for IP protocols without ports (ESP, AH, GRE).</summary>
    public required IReadOnlyList<PortRange> Ports { get; init; }

    /// <summary>
    /// For an ICMP or ICMPv6 rule, the messages it allows (<c>icmp: [echo-request]</c>); null for any message, and for
    /// other transports. A flow matches by its first packet's type and code, so an echo rule allows the pings and their
    /// replies, and not the unreachables a host sends.
    /// </summary>
    public IReadOnlyList<IcmpMessage>? Icmp { get; init; }

    /// <summary>
    /// The names the rule's flows may name their server by (<c>serverNames: [sip.contoso.com, "*.lync.com"]</c>): a flow
    /// that names another (a TLS, DTLS or QUIC SNI, an HTTP Host, a CONNECT target) is not the conversation the rule
    /// allows, whatever its port. Null for any name, and a flow that names none is judged by its port.
    /// </summary>
    public IReadOnlyList<ServerName>? ServerNames { get; init; }

    /// <summary>Expected application protocol label (sip-tls, epm, dcerpc-dynamic...).</summary>
    public required string Protocol { get; init; }

    /// <summary>False for ports the document calls optional or merely usable.</summary>
    public bool Required { get; init; } = true;

    /// <summary>Features that must all be present for the rule to apply.</summary>
    public IReadOnlyList<string> Conditions { get; init; } = [];

    /// <summary>Features any one of which, when present, makes the rule not apply ("if HTTPS is enabled": unless https-disabled).</summary>
    public IReadOnlyList<string> Unless { get; init; } = [];

    /// <summary>
    /// How often a running deployment makes this flow on its own, whatever its users do (keep-alives, registration
    /// refresh, replication, policy refresh); null for flows made on demand. Only a periodic flow's absence shows a
    /// problem: a capture at least this long that saw both ends talk and not this flow has a missing finding.
    /// </summary>
    public TimeSpan? Every { get; init; }

    /// <summary>
    /// The group of alternatives the rule belongs to (5067 or 5068; SCCP on 2000 or 2443), or null. Any member in use
    /// satisfies the group for a pair of hosts; no member is missing alone.
    /// </summary>
    public string? OneOf { get; init; }

    /// <summary>
    /// True when <see cref="Ports"/> is a default dynamic range (RPC/DCOM) that a deployment may
    /// have narrowed; the audit substitutes the inventory's range for such rules.
    /// </summary>
    public bool DynamicRange { get; init; }

    /// <summary>
    /// The DCE/RPC interfaces (and operations) the rule allows between its roles, when the rule says; null when it does
    /// not speak of interfaces. The audit judges every interface a flow binds against the grants of the rules between
    /// its two ends (docs/catalog.md, "RPC interfaces").
    /// </summary>
    public IReadOnlyList<RpcGrant>? Interfaces { get; init; }

    /// <summary>
    /// True for a listener row (<c>external: published</c>): the document lists what the service listens on, not that the
    /// Internet may reach it, so a client of a zone whose hosts are not listed (any@external) is admitted only to a server
    /// host that the inventory says publishes the rule (the inventory host's <c>published</c> list). Hosts the inventory
    /// names are admitted as the rule's other selectors say.
    /// </summary>
    public bool PublishedOnly { get; init; }

    /// <summary>Remarks, including where the documents disagree or repeat themselves.</summary>
    public string Notes { get; init; } = "";

    /// <summary>Provenance of the requirement.</summary>
    public required RuleSource Source { get; init; }

    /// <summary>True when the rule applies to a deployment with <paramref name="features"/>: all conditions, none of <see cref="Unless"/>.</summary>
    public bool AppliesTo(IReadOnlyCollection<string> features) => AppliesTo(features, [], []);

    /// <summary>
    /// True when the rule applies between two hosts: each condition enabled for the deployment (<paramref name="deployment"/>)
    /// or on either end, and no <see cref="Unless"/> feature enabled on any of them.
    /// </summary>
    public bool AppliesTo(IReadOnlyCollection<string> deployment, IReadOnlyList<string> client, IReadOnlyList<string> server)
    {
        foreach (var feature in Conditions)
            if (!Enabled(feature)) return false;
        foreach (var feature in Unless)
            if (Enabled(feature)) return false;
        return true;

        bool Enabled(string feature) => deployment.Contains(feature) || client.Contains(feature) || server.Contains(feature);
    }

    /// <summary>Transport keyword as a rule file writes it (tcp, udp, both, esp...).</summary>
    public string TransportName => TransportNames.Name(Transports);

    /// <summary>True when the rule covers <paramref name="port"/> on <paramref name="transport"/>.</summary>
    public bool Covers(Transport transport, int port)
    {
        if (!Transports.Contains(transport))
            return false;
        if (!TransportNames.HasPorts(transport))
            return true;
        foreach (var range in Ports)
            if (range.Contains(port))
                return true;
        return false;
    }

    /// <summary>True when the rule names <paramref name="port"/> itself, not as part of a range.</summary>
    public bool ListsSinglePort(int port)
    {
        foreach (var range in Ports)
            if (range.IsSingle && range.Low == port)
                return true;
        return false;
    }

    /// <summary>True when the rule uses <paramref name="port"/> on the transport, or on TCP or UDP when none is given.</summary>
    public bool UsesPort(int port, Transport? transport = null) =>
        transport is { } t ? Covers(t, port) : Covers(Transport.Tcp, port) || Covers(Transport.Udp, port);

    /// <summary>
    /// The rule with its dynamic range replaced by a deployment's own; other rules are returned
    /// unchanged, so callers can map a whole catalog through this.
    /// </summary>
    public Rule WithDynamicRange(PortRange range) => DynamicRange ? this with { Ports = [range] } : this;
}
