using System.Globalization;
using System.Text.RegularExpressions;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>Parsing shared by the per-document extractors.</summary>
internal static partial class SeedText
{
    /// <summary>"TCP" / "UDP" / "TCP and UDP" / "TCP/UDP" in a phrase, or null when it names neither.</summary>
    public static IReadOnlyList<Transport?> TransportsIn(string phrase)
    {
        bool tcp = TcpWord().IsMatch(phrase);
        bool udp = UdpWord().IsMatch(phrase);
        return (tcp, udp) switch
        {
            (true, true) => [Transport.Tcp, Transport.Udp],
            (true, false) => [Transport.Tcp],
            (false, true) => [Transport.Udp],
            _ => [null],
        };
    }

    /// <summary>"5061", "1024-65535" or "50,000-59,999" (thousands separators allowed).</summary>
    public static PortRange Range(string text)
    {
        var parts = text.Replace(",", "").Split('-', StringSplitOptions.TrimEntries);
        int low = int.Parse(parts[0], CultureInfo.InvariantCulture);
        int high = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : low;
        return new PortRange(low, high);
    }

    /// <summary>IANA protocol numbers the documents use for IPsec and PPTP.</summary>
    public static Transport? IpProtocol(int number) => number switch
    {
        47 => Transport.Gre,
        50 => Transport.Esp,
        51 => Transport.Ah,
        _ => null,
    };

    public static IEnumerable<SeedRequirement> Each(string file, int line, string text, IReadOnlyList<Transport?> transports, PortRange ports) =>
        transports.Select(t => new SeedRequirement(file, line, text, t, ports));

    [GeneratedRegex(@"\bTCP\b")]
    private static partial Regex TcpWord();

    [GeneratedRegex(@"\bUDP\b|User Datagram Protocol")]
    private static partial Regex UdpWord();
}
