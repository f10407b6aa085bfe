using System.Text.RegularExpressions;
using PortAudit.Catalog;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// KB832017's "Ports and protocols" table: "PORT PROTOCOL application-protocol service" lines from
/// the table's heading to the paragraph after it. "n/a" rows are IP protocols (GRE, ESP, AH);
/// the table misspells UDP as "UPD" once.
/// </summary>
public sealed partial class WindowsServerPortTable : LineSeedExtractor
{
    private const string Heading = "Ports and protocols";

    protected override string Title => "Service overview and network port requirements for the Windows Server system";

    /// <summary>Only the lines of the summary table count; the per-service lists repeat them.</summary>
    public override IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines)
    {
        int start = lines.ToList().FindIndex(l => l.Trim() == Heading);
        for (int i = start + 1; start >= 0 && i < lines.Count; i++)
        {
            if (lines[i].StartsWith("Microsoft provides the information", StringComparison.Ordinal))
                yield break;
            foreach (var requirement in ExtractLine(file, i + 1, lines[i]))
                yield return requirement;
        }
    }

    protected override IEnumerable<SeedRequirement> ExtractLine(string file, int number, string line)
    {
        if (TableRow().Match(line) is not { Success: true } row)
            return [];
        var ports = row.Groups["port"].Value == "n/a" ? new PortRange(0, 0) : SeedText.Range(row.Groups["port"].Value);
        return [new SeedRequirement(file, number, line, TransportOf(row.Groups["protocol"].Value), ports)];
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
