using PortAudit.Catalog;
using PortAudit.Tests.Catalog.Seeds;
using Xunit.Abstractions;

namespace PortAudit.Tests.Catalog;

/// <summary>
/// Reads the vendor documents themselves and checks that the catalog covers every port
/// requirement they state, and that rules quote the documents faithfully.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SeedCoverageTests
{
    private const string Seeds = "seeds";

    private static readonly ISeedExtractor[] Extractors =
    [
        new LyncPortTables(), new CiscoUnitySections(), new MobileInformationServerBullets(),
        new WindowsServerPortTable(), new FederationStatements(),
    ];

    private readonly ITestOutputHelper _output;

    public SeedCoverageTests(ITestOutputHelper output) => _output = output;

    [SharedDataFact(Seeds)]
    public void EverySeedRequirementIsCoveredByARuleCitingThatSeed()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var requirements = ExtractAll();

        var uncovered = requirements.Where(r => !r.IsCoveredBy(catalog.Rules)).ToList();
        _output.WriteLine($"seed coverage: {requirements.Count - uncovered.Count} of {requirements.Count} requirements covered");
        foreach (var group in requirements.GroupBy(r => r.File))
            _output.WriteLine($"  {group.Key}: {group.Count()} requirements");
        foreach (var missing in uncovered)
            _output.WriteLine($"  NOT COVERED {missing}");

        Assert.Empty(uncovered);
    }

    [SharedDataFact(Seeds)]
    public void EverySeedDocumentIsParsedAndYieldsRequirements()
    {
        foreach (var path in SeedFiles())
        {
            var lines = File.ReadAllLines(path);
            var extractor = Assert.Single(Extractors, e => e.Recognises(lines));
            Assert.NotEmpty(extractor.Extract(Path.GetFileName(path), lines));
        }
    }

    [SharedDataFact(Seeds)]
    public void KnownRowsAreExtractedWithTheirTransport()
    {
        var requirements = ExtractAll();

        // One sample per document format: packed Edge cell with thousands separators, Cisco list
        // entry with an alternative port, an IPsec bullet of IP protocol numbers, the KB table's
        // "UPD" typo, and the federation SRV statement.
        Assert.Contains(requirements, r => r.Transport == Transport.Udp && r.Ports == new PortRange(50000, 59999));
        Assert.Contains(requirements, r => r.Transport == Transport.Tcp && r.Ports == new PortRange(2443, 2443));
        Assert.Contains(requirements, r => r.Transport == Transport.Ah && r.Text.Contains("50, 51, UDP 500"));
        Assert.Contains(requirements, r => r.Transport == Transport.Udp && r.Ports == new PortRange(2703, 2703) && r.Text.Contains("UPD"));
        Assert.Contains(requirements, r => r.Transport == Transport.Tcp && r.Ports == new PortRange(5061, 5061) && r.Text.Contains("_tcp"));
    }

    [SharedDataFact(Seeds)]
    public void EveryRuleQuotesARowThatIsInItsSeed()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var texts = SeedFiles().ToDictionary(p => Path.GetFileName(p), p => Normalise(File.ReadAllText(p)));

        var misquoted = catalog.Rules
            .Where(r => !texts.TryGetValue(r.Source.File, out var text) || !text.Contains(Normalise(r.Source.Row), StringComparison.Ordinal))
            .Select(r => r.Id)
            .ToList();

        Assert.Empty(misquoted);
    }

    private static List<SeedRequirement> ExtractAll()
    {
        var all = new List<SeedRequirement>();
        foreach (var path in SeedFiles())
        {
            var lines = File.ReadAllLines(path);
            foreach (var extractor in Extractors.Where(e => e.Recognises(lines)))
                all.AddRange(extractor.Extract(Path.GetFileName(path), lines));
        }
        return all;
    }

    private static IEnumerable<string> SeedFiles() =>
        Directory.EnumerateFiles(SharedData.Path(Seeds)!, "*.txt").Order(StringComparer.Ordinal);

    private static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
