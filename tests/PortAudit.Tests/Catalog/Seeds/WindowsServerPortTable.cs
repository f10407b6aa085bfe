using System.Text.RegularExpressions;
using PortAudit.Catalog;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// KB832017's "Ports and protocols" table: "PORT PROTOCOL application-protocol service" lines from
/// the table's heading to the paragraph after it. "n/a" rows are IP protocols (GRE, ESP, AH);
/// the table misspells UDP as "UPD" once.
/// </summary>
public sealed partial class WindowsServerPortTable : ISeedExtractor
{
    private const string Heading = "Ports and protocols";

    public bool Recognises(IReadOnlyList<string> lines) =>
        lines.Any(l => l.StartsWith("Service overview and network port requirements for the Windows Server system", StringComparison.Ordinal));

    public IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines)
    {
        int start = lines.ToList().FindIndex(l => l.Trim() == Heading);
        for (int i = start + 1; start >= 0 && i < lines.Count; i++)
        {
            if (lines[i].StartsWith("Microsoft provides the information", StringComparison.Ordinal))
                yield break;
            if (TableRow().Match(lines[i]) is not { Success: true } row)
                continue;
            var transport = TransportOf(row.Groups["protocol"].Value);
            var ports = row.Groups["port"].Value == "n/a" ? new PortRange(0, 0) : SeedText.Range(row.Groups["port"].Value);
            yield return new SeedRequirement(file, i + 1, lines[i], transport, ports);
        }
    }

    private static Transport TransportOf(string protocol) => protocol switch
    {
        "TCP" => Transport.Tcp,
        "UDP" or "UPD" => Transport.Udp,
        "GRE" => Transport.Gre,
        "ESP" => Transport.Esp,
        _ => Transport.Ah,
    };

    [GeneratedRegex(@"^(?<port>n/a|\d+(?:-\d+)?) (?<protocol>TCP|UDP|UPD|GRE|ESP|AH) ")]
    private static partial Regex TableRow();
}
