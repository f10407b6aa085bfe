using System.Text.RegularExpressions;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// The Lync federation planning page states ports in prose, next to the SRV record that
/// advertises them: "_sipfederationtls._tcp.contoso.com – which points to the port 5061".
/// The transport comes from the SRV label.
/// </summary>
public sealed partial class FederationStatements : ISeedExtractor
{
    public bool Recognises(IReadOnlyList<string> lines) =>
        lines.Any(l => l.StartsWith("title: 'Planning for SIP, XMPP federation", StringComparison.Ordinal));

    public IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            string text = lines[i].Replace(@"\_", "_");
            var srv = SrvLabel().Match(text);
            foreach (Match port in PortStatement().Matches(text))
            {
                var transports = srv.Success ? SeedText.TransportsIn(srv.Groups[1].Value.ToUpperInvariant()) : [null];
                foreach (var r in SeedText.Each(file, i + 1, lines[i].Trim(), transports, SeedText.Range(port.Groups[1].Value)))
                    yield return r;
            }
        }
    }

    [GeneratedRegex(@"\b_sip\w*\._(tcp|udp)\b")]
    private static partial Regex SrvLabel();

    [GeneratedRegex(@"\bports? (\d+(?:-\d+)?)\b")]
    private static partial Regex PortStatement();
}
