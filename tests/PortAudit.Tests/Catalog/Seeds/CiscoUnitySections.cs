using System.Text.RegularExpressions;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// The Cisco Unity security guide: per-section lists whose entries start with the transport
/// ("TCP and UDP 88", "TCP 2000 or 2443", "If HTTPS is disabled, TCP 80", "TCP 1433 and UDP 1434"),
/// and sentences that state a port ("... TCP and UDP connections to its DNS server at port 53").
/// </summary>
public sealed partial class CiscoUnitySections : LineSeedExtractor
{
    protected override string Title => "Security Guide for Cisco Unity";

    protected override IEnumerable<SeedRequirement> ExtractLine(string file, int number, string line) =>
        ListEntry().Match(line) is { Success: true } entry
            ? FromListEntry(file, number, line, entry)
            : FromSentences(file, number, line);

    private static IEnumerable<SeedRequirement> FromListEntry(string file, int line, string text, Match entry)
    {
        var transports = SeedText.TransportsIn(entry.Groups["t1"].Value);
        foreach (var r in SeedText.Each(file, line, text, transports, SeedText.Range(entry.Groups["p1"].Value)))
            yield return r;
        if (entry.Groups["alt"].Success)
            foreach (var r in SeedText.Each(file, line, text, transports, SeedText.Range(entry.Groups["alt"].Value)))
                yield return r;
        if (entry.Groups["t2"].Success)
            foreach (var r in SeedText.Each(file, line, text, SeedText.TransportsIn(entry.Groups["t2"].Value), SeedText.Range(entry.Groups["p2"].Value)))
                yield return r;
    }

    private static IEnumerable<SeedRequirement> FromSentences(string file, int line, string text)
    {
        foreach (var sentence in text.Split(". ", StringSplitOptions.RemoveEmptyEntries))
            foreach (Match port in PortInSentence().Matches(sentence))
                foreach (var r in SeedText.Each(file, line, sentence.Trim(), SeedText.TransportsIn(sentence), SeedText.Range(port.Groups[1].Value)))
                    yield return r;
    }

    [GeneratedRegex(@"^(?:If HTTPS is \w+, )?(?<t1>TCP and UDP|TCP|UDP) (?<p1>\d+(?:-\d+)?)(?: or (?<alt>\d+))?(?: and (?<t2>TCP|UDP) (?<p2>\d+))?")]
    private static partial Regex ListEntry();

    [GeneratedRegex(@"\bports? (\d+(?:-\d+)?)\b")]
    private static partial Regex PortInSentence();
}
