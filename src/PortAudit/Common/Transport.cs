namespace PortAudit.Common;

/// <summary>
/// The IP protocol a rule applies to. Values are the IANA protocol numbers so that a flow's
/// protocol field maps onto a rule without a translation table.
/// </summary>
public enum Transport : byte
{
    /// <summary>Generic Routing Encapsulation (IP protocol 47), used by PPTP.</summary>
    Gre = 47,
    /// <summary>Transmission Control Protocol.</summary>
    Tcp = 6,
    /// <summary>User Datagram Protocol.</summary>
    Udp = 17,
    /// <summary>IPsec Encapsulating Security Payload (IP protocol 50).</summary>
    Esp = 50,
    /// <summary>IPsec Authentication Header (IP protocol 51).</summary>
    Ah = 51,
    /// <summary>Internet Control Message Protocol (IP protocol 1); a rule may narrow it to message types.</summary>
    Icmp = 1,
    /// <summary>ICMP for IPv6 (IP protocol 58); a rule may narrow it to message types.</summary>
    IcmpV6 = 58,
}

/// <summary>Spelling of transports in rule files and on the command line.</summary>
public static class TransportNames
{
    /// <summary>The keyword a rule file uses for "TCP and UDP".</summary>
    public const string Both = "both";

    private static readonly Transport[] TcpAndUdp = [Transport.Tcp, Transport.Udp];

    /// <summary>
    /// Parses a rule file's transport keyword; "both" stands for TCP and UDP because the documents
    /// state most name-service and RPC ports that way.
    /// </summary>
    public static bool TryParse(string text, out IReadOnlyList<Transport> transports)
    {
        transports = text.ToLowerInvariant() switch
        {
            Both => TcpAndUdp,
            "tcp" => [Transport.Tcp],
            "udp" => [Transport.Udp],
            "gre" => [Transport.Gre],
            "esp" => [Transport.Esp],
            "ah" => [Transport.Ah],
            "icmp" => [Transport.Icmp],
            "icmpv6" => [Transport.IcmpV6],
            _ => [],
        };
        return transports.Count > 0;
    }

    /// <summary>The lower-case keyword of one transport.</summary>
    public static string Name(Transport transport) => transport.ToString().ToLowerInvariant();

    /// <summary>The keyword for a rule's transports, folding TCP and UDP back into "both".</summary>
    public static string Name(IReadOnlyList<Transport> transports) =>
        transports.Count == 2 ? Both : Name(transports[0]);

    /// <summary>Every keyword <see cref="TryParse"/> takes, for error messages and their suggestions.</summary>
    public static readonly IReadOnlyList<string> Keywords = ["tcp", "udp", Both, "icmp", "icmpv6", "esp", "ah", "gre"];

    /// <summary>True for transports that carry port numbers.</summary>
    public static bool HasPorts(Transport transport) => transport is Transport.Tcp or Transport.Udp;

    /// <summary>True for ICMP and ICMPv6, whose rules may name message types instead of ports.</summary>
    public static bool IsIcmp(Transport transport) => transport is Transport.Icmp or Transport.IcmpV6;
}
