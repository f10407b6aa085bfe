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

    /// <summary>Role of the host that opens the connection (the client side).</summary>
    public required string From { get; init; }

    /// <summary>Role of the host that listens (the server side).</summary>
    public required string To { get; init; }

    /// <summary>IP protocols; two entries (TCP and UDP) when the file says "both".</summary>
    public required IReadOnlyList<Transport> Transports { get; init; }

    /// <summary>Destination ports; empty for IP protocols without ports (ESP, AH, GRE).</summary>
    public required IReadOnlyList<PortRange> Ports { get; init; }

    /// <summary>Expected application protocol label (sip-tls, epm, dcerpc-dynamic...).</summary>
    public required string Protocol { get; init; }

    /// <summary>False for ports the document calls optional or merely usable.</summary>
    public bool Required { get; init; } = true;

    /// <summary>Features that must all be present for the rule to apply.</summary>
    public IReadOnlyList<string> Conditions { get; init; } = [];

    /// <summary>
    /// True when <see cref="Ports"/> is a default dynamic range (RPC/DCOM) that a deployment may
    /// have narrowed; the audit substitutes the inventory's range for such rules.
    /// </summary>
    public bool DynamicRange { get; init; }

    /// <summary>Remarks, including where the documents disagree or repeat themselves.</summary>
    public string Notes { get; init; } = "";

    /// <summary>Provenance of the requirement.</summary>
    public required RuleSource Source { get; init; }

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

    /// <summary>True when the rule uses <paramref name="port"/> on the transport, or on TCP or UDP when none is given.</summary>
    public bool UsesPort(int port, Transport? transport = null) =>
        transport is { } t ? Covers(t, port) : Covers(Transport.Tcp, port) || Covers(Transport.Udp, port);

    /// <summary>
    /// The rule with its dynamic range replaced by a deployment's own; other rules are returned
    /// unchanged, so callers can map a whole catalog through this.
    /// </summary>
    public Rule WithDynamicRange(PortRange range) => DynamicRange ? this with { Ports = [range] } : this;
}
