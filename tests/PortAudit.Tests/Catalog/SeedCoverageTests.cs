using PortAudit.Catalog;
using PortAudit.Common;
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

    /// <summary>
    /// Rows that state traffic which never appears on the wire, so no rule covers them (docs/catalog-review.md,
    /// "never-on-wire: removed"): the document, the transport and port, a phrase of the row, and why. Cisco Unity's
    /// "TCP and UDP 3268" lost its UDP half too, but coverage is per document and the MAPI notification rule's UDP
    /// 1024-65535 still spans 3268 there.
    /// </summary>
    private static readonly (string File, Transport Transport, int Port, string Phrase, string Why)[] NeverOnTheWire =
    [
        ("003_c8bdd4459fd56b12.txt", Transport.Udp, 25, "25 UDP SMTP Simple Mail Transfer Protocol", "SMTP has no UDP transport"),
        ("003_c8bdd4459fd56b12.txt", Transport.Udp, 25, "25 UDP SMTP Exchange Server", "SMTP has no UDP transport"),
        ("003_c8bdd4459fd56b12.txt", Transport.Udp, 42, "42 UDP WINS Replication", "WINS replication runs over TCP 42 only"),
        ("003_c8bdd4459fd56b12.txt", Transport.Udp, 636, "636 UDP LDAP SSL", "there is no LDAP over TLS on UDP"),
    ];

    private readonly ITestOutputHelper _output;

    public SeedCoverageTests(ITestOutputHelper output) => _output = output;

    [SharedDataFact(Seeds)]
    public void EverySeedRequirementIsCoveredByARuleCitingThatSeed()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var requirements = ExtractAll();

        var stated = requirements.Where(r => NeverOnTheWireReason(r) is null).ToList();
        var uncovered = stated.Where(r => !r.IsCoveredBy(catalog.Rules)).ToList();
        _output.WriteLine($"seed coverage: {stated.Count - uncovered.Count} of {stated.Count} requirements covered " +
                          $"({100.0 * (stated.Count - uncovered.Count) / stated.Count:F1}%); {requirements.Count - stated.Count} never on the wire, not counted");
        foreach (var group in requirements.GroupBy(r => r.File))
            _output.WriteLine($"  {group.Key}: {group.Count()} requirements");
        foreach (var excepted in requirements.Except(stated))
            _output.WriteLine($"  never on the wire ({NeverOnTheWireReason(excepted)}): {excepted}");
        foreach (var missing in uncovered)
            _output.WriteLine($"  NOT COVERED {missing}");

        Assert.Empty(uncovered);
    }

    [SharedDataFact(Seeds)]
    public void NeverOnTheWireRowsAreExactlyTheOnesNoRuleCovers()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var requirements = ExtractAll();

        // Each exception matches a row and that row is really left uncovered: a rule added for it, or a row that no
        // longer reads so, makes the list stale.
        foreach (var exception in NeverOnTheWire)
        {
            var rows = requirements.Where(r => Matches(exception, r)).ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.False(r.IsCoveredBy(catalog.Rules), $"{r} is covered: remove it from NeverOnTheWire"));
        }
    }

    [SharedDataFact(Seeds)]
    public void GroupPolicyDcomOverUdpIsExtractedAndCovered()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));

        var udp = Assert.Single(ExtractAll(), r => r.Transport == Transport.Udp && r.Text.StartsWith("DCOM TCP + UDP", StringComparison.Ordinal));
        Assert.Equal(new PortRange(1024, 65534), udp.Ports);
        Assert.True(udp.IsCoveredBy(catalog.Rules));
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

    private static string? NeverOnTheWireReason(SeedRequirement requirement) =>
        NeverOnTheWire.Where(e => Matches(e, requirement)).Select(e => e.Why).FirstOrDefault();

    private static bool Matches((string File, Transport Transport, int Port, string Phrase, string Why) exception, SeedRequirement requirement) =>
        requirement.File == exception.File && requirement.Transport == exception.Transport && requirement.Ports == new PortRange(exception.Port, exception.Port)
        && requirement.Text.Contains(exception.Phrase, StringComparison.Ordinal);

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
