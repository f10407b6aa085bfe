using System.Text.RegularExpressions;
using PortAudit.Common;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// The Lync federation planning page states ports in prose, next to the SRV record that
/// advertises them: "_sipfederationtls._tcp.contoso.com – which points to the port 5061".
/// The transport comes from the SRV label.
/// </summary>
public sealed partial class FederationStatements : LineSeedExtractor
{
    protected override string Title => "title: 'Planning for SIP, XMPP federation";

    protected override IEnumerable<SeedRequirement> ExtractLine(string file, int number, string line)
    {
        string text = line.Replace(@"\_", "_");
        var srv = SrvLabel().Match(text);
        IReadOnlyList<PortAudit.Common.Transport?> transports = srv.Success ? SeedText.TransportsIn(srv.Groups[1].Value.ToUpperInvariant()) : [null];
        return PortStatement().Matches(text).SelectMany(port => SeedText.Each(file, number, line.Trim(), transports, SeedText.Range(port.Groups[1].Value)));
    }

    [GeneratedRegex(@"\b_sip\w*\._(tcp|udp)\b")]
    private static partial Regex SrvLabel();

    [GeneratedRegex(@"\bports? (\d+(?:-\d+)?)\b")]
    private static partial Regex PortStatement();
}
