using System.Globalization;
using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Report;

/// <summary>
/// A Wireshark/tshark display filter that shows a finding's packets, ready to paste: <c>tshark -r CAPTURE -Y FILTER</c>.
/// Named ends are filtered on their inventory addresses (IPv4 or IPv6, prefixes as CIDR); an unnamed end stands for a
/// whole zone, so it is left open and the filter holds the named end and the port. The filter may show more than the
/// finding (other hosts of a zone, both directions), never less, but for a zone pair: filtered on its
/// <see cref="MaxZonePorts"/> busiest ports alone, it leaves out the flows of any other port, which the finding's port
/// summary counts (docs/audit.md, "Display filter").
/// </summary>
public static class TsharkFilter
{
    /// <summary>Most ports of a zone pair's summary the filter names.</summary>
    public const int MaxZonePorts = 8;

    /// <summary>The filter of <paramref name="finding"/>, or null when there is nothing to filter on.</summary>
    public static string? For(Finding finding)
    {
        var terms = new List<string>();
        if (Addresses(finding.ClientPrefixes) is { } client) terms.Add(client);
        if (finding.ServerPorts is { } summary)
        {
            var ports = summary.Top(MaxZonePorts).Select(p => Port(p.Key.Transport, p.Key.Port.ToString(CultureInfo.InvariantCulture))).ToList();
            if (ports.Count > 0) terms.Add(Either(ports));
        }
        else if (Ports(finding.Transport, finding.Ports) is { } ports)
        {
            terms.Add(ports);
        }
        if (Addresses(finding.ServerPrefixes) is { } server) terms.Add(server);
        return terms.Count == 0 ? null : string.Join(" && ", terms);
    }

    private static string? Addresses(IReadOnlyList<IpPrefix> prefixes) =>
        prefixes.Count == 0 ? null : Either(prefixes.Select(p => $"{(p.Network.IsV4 ? "ip" : "ipv6")}.addr=={p}").ToList());

    /// <summary>"tcp.port==445", "tcp.port in {5061, 1024..65535}", both transports for "both", the protocol alone for ICMP, GRE, ESP.</summary>
    private static string? Ports(string transport, string ports)
    {
        if (transport == "both")
            return Either([Port("tcp", ports), Port("udp", ports)]);
        return Port(transport, ports);
    }

    private static string Port(string transport, string ports)
    {
        if (transport is not ("tcp" or "udp" or "sctp"))
        {
            // A tunnel's outer packet: no dissector is named ipip, and "ipv6" alone would match every IPv6 packet. Behind
            // IPv6 extension headers the tunnel is the last header's next one, a field of each header's own.
            if (transport is "ipip" or "ipv6" && IpProtocol.TryParse(transport, out byte tunnel))
                return "(" + string.Join(" || ", NextHeaderFields.Select(field => $"{field}=={tunnel}")) + ")";
            return byte.TryParse(transport, out byte number) ? $"ip.proto=={number}" : transport;
        }
        var items = ports.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Replace("-", "..", StringComparison.Ordinal)).ToList();
        return items.Count == 1 && !items[0].Contains("..", StringComparison.Ordinal)
            ? $"{transport}.port=={items[0]}"
            : $"{transport}.port in {{{string.Join(", ", items)}}}";
    }

    // The fields that name the protocol after an IP header: IPv4's, and IPv6's and each of its extension headers'.
    private static readonly string[] NextHeaderFields =
        ["ip.proto", "ipv6.nxt", "ipv6.hopopts.nxt", "ipv6.dstopts.nxt", "ipv6.routing.nxt", "ipv6.fraghdr.nxt"];

    private static string Either(IReadOnlyList<string> terms) => terms.Count == 1 ? terms[0] : $"({string.Join(" || ", terms)})";
}
