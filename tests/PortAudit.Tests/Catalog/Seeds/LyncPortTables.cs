using System.Text.RegularExpressions;
using PortAudit.Common;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// The Lync Server 2013 document's pipe tables. The internal servers table has a Port and a
/// Protocol column; the Edge, reverse proxy and miscellaneous tables pack "…/TCP/443" into
/// their first cell.
/// </summary>
public sealed partial class LyncPortTables : LineSeedExtractor
{
    protected override string Title => "DNS and Firewall Requirements for Express for Lync";

    protected override IEnumerable<SeedRequirement> ExtractLine(string file, int number, string line)
    {
        var cells = line.Split('|', StringSplitOptions.TrimEntries);
        if (cells.Length < 3)
            return [];
        if (PackedCell().Match(cells[0]) is { Success: true } packed)
            return SeedText.Each(file, number, line, SeedText.TransportsIn(packed.Groups[1].Value), SeedText.Range(packed.Groups[2].Value));
        if (cells.Length >= 4 && PortCell().IsMatch(cells[2]))
            return SeedText.Each(file, number, line, ProtocolColumn(cells[3]), SeedText.Range(cells[2]));
        return [];
    }

    /// <summary>HTTP and HTTPS run over TCP; "DCOM and remote procedure call" names no transport.</summary>
    private static IReadOnlyList<PortAudit.Common.Transport?> ProtocolColumn(string protocol)
    {
        var named = SeedText.TransportsIn(protocol);
        return named[0] is null && protocol.StartsWith("HTTP", StringComparison.Ordinal) ? [PortAudit.Common.Transport.Tcp] : named;
    }

    [GeneratedRegex(@"(?:^|/)(TCP|UDP)/([\d,]+(?:-[\d,]+)?)$")]
    private static partial Regex PackedCell();

    [GeneratedRegex(@"^\d+(?:-\d+)?$")]
    private static partial Regex PortCell();
}
