using System.Text.RegularExpressions;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// KB832017's "Ports and protocols" table: "PORT PROTOCOL application-protocol service" lines from
/// the table's heading to the paragraph after it. "n/a" rows are IP protocols (GRE, ESP, AH);
/// the table misspells UDP as "UPD" once. Group Policy's "DCOM TCP + UDP random port number between 1024 - 65534" is
/// stated only in its service list (the table has the TCP half), so that line is read too.
/// </summary>
public sealed partial class WindowsServerPortTable : LineSeedExtractor
{
    private const string Heading = "Ports and protocols";

    protected override string Title => "Service overview and network port requirements for the Windows Server system";

    /// <summary>The lines of the summary table, and the service-list lines that state more than the table (DCOM over UDP).</summary>
    public override IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines)
    {
        for (int i = 0; i < lines.Count; i++)
            if (DcomTcpAndUdp().Match(lines[i]) is { Success: true } dcom)
                foreach (var requirement in SeedText.Each(file, i + 1, lines[i], [Transport.Tcp, Transport.Udp], SeedText.Range(dcom.Groups["range"].Value)))
                    yield return requirement;
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

    [GeneratedRegex(@"^DCOM TCP \+ UDP random port number between (?<range>\d+ - \d+)$")]
    private static partial Regex DcomTcpAndUdp();

    [GeneratedRegex(@"^(?<port>n/a|\d+(?:-\d+)?) (?<protocol>TCP|UDP|UPD|GRE|ESP|AH) ")]
    private static partial Regex TableRow();
}
