using System.Text.RegularExpressions;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// The Lync Server 2013 document's pipe tables. The internal servers table has a Port and a
/// Protocol column; the Edge, reverse proxy and miscellaneous tables pack "…/TCP/443" into
/// their first cell.
/// </summary>
public sealed partial class LyncPortTables : ISeedExtractor
{
    public bool Recognises(IReadOnlyList<string> lines) =>
        lines.Count > 0 && lines[0].Contains("DNS and Firewall Requirements for Express for Lync", StringComparison.Ordinal);

    public IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            var cells = lines[i].Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 3)
                continue;
            if (PackedCell().Match(cells[0]) is { Success: true } packed)
            {
                foreach (var r in SeedText.Each(file, i + 1, lines[i], SeedText.TransportsIn(packed.Groups[1].Value), SeedText.Range(packed.Groups[2].Value)))
                    yield return r;
            }
            else if (cells.Length >= 4 && PortCell().IsMatch(cells[2]))
            {
                foreach (var r in SeedText.Each(file, i + 1, lines[i], ProtocolColumn(cells[3]), SeedText.Range(cells[2])))
                    yield return r;
            }
        }
    }

    /// <summary>HTTP and HTTPS run over TCP; "DCOM and remote procedure call" names no transport.</summary>
    private static IReadOnlyList<PortAudit.Catalog.Transport?> ProtocolColumn(string protocol)
    {
        var named = SeedText.TransportsIn(protocol);
        return named[0] is null && protocol.StartsWith("HTTP", StringComparison.Ordinal) ? [PortAudit.Catalog.Transport.Tcp] : named;
    }

    [GeneratedRegex(@"(?:^|/)(TCP|UDP)/([\d,]+(?:-[\d,]+)?)$")]
    private static partial Regex PackedCell();

    [GeneratedRegex(@"^\d+(?:-\d+)?$")]
    private static partial Regex PortCell();
}
