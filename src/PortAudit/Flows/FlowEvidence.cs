namespace PortAudit.Flows;

/// <summary>
/// What a flow's verdict can rest on. Packets let inspection read the payload; flow records and firewall logs carry
/// at most what their exporter concluded, often only the ports. Every output says which, so that a verdict built on a
/// port number is never read as one confirmed by content.
/// </summary>
public enum FlowEvidence : byte
{
    /// <summary>Our inspection read the flow's payload (a packet source): its application label, if any, is ours.</summary>
    Inspected,
    /// <summary>The record's exporter named the application (Zeek's service, an IPFIX applicationName, a firewall's App-ID); we read no payload.</summary>
    ExporterAppId,
    /// <summary>Only the addresses, ports and counters are known: a verdict rests on the port.</summary>
    PortOnly,
    /// <summary>A firewall's log line: its decision (built, denied) is direct evidence, the application is not known.</summary>
    FirewallLog,
}

/// <summary>Text forms of <see cref="FlowEvidence"/> used in every output.</summary>
public static class FlowEvidenceNames
{
    /// <summary>inspected, exporter-app-id, port-only, firewall-log.</summary>
    public static string Name(this FlowEvidence evidence) => evidence switch
    {
        FlowEvidence.Inspected => "inspected",
        FlowEvidence.ExporterAppId => "exporter-app-id",
        FlowEvidence.PortOnly => "port-only",
        _ => "firewall-log",
    };

    /// <summary>The basis named <paramref name="name"/> (as <see cref="Name"/> writes it); false for an unknown name.</summary>
    public static bool TryParse(string name, out FlowEvidence evidence)
    {
        // Asked once per flow read back from the store: a lookup, not an enumeration.
        evidence = name switch
        {
            "exporter-app-id" => FlowEvidence.ExporterAppId,
            "port-only" => FlowEvidence.PortOnly,
            "firewall-log" => FlowEvidence.FirewallLog,
            _ => FlowEvidence.Inspected,
        };
        return evidence != FlowEvidence.Inspected || name == "inspected";
    }

    /// <summary>True when the application label, if any, came from reading the payload ourselves.</summary>
    public static bool ReadsContent(this FlowEvidence evidence) => evidence == FlowEvidence.Inspected;
}
