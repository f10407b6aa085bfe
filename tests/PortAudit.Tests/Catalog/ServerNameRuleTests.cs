using PortAudit.Catalog;

namespace PortAudit.Tests.Catalog;

/// <summary>
/// A rule's <c>serverNames</c> list: names and subdomain patterns read as DNS compares names (no case, no final dot,
/// internationalised names as their A-labels), mistakes refused at their file, line and column.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ServerNameRuleTests
{
    // A site rule to 443 with the serverNames line given, beside a small catalog.
    private static string SiteRule(string names) => $"""
        rules:
          - id: site-partner
            from: client
            to: server
            transport: tcp
            port: 443
            protocol: tls
            {names}
        """;

    [Fact]
    public void NamesArePatternsWithoutCaseOrFinalDotAndInternationalNamesTheirALabels()
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules);
        var rules = catalog.LoadWithSite(SiteRule("serverNames: [Sip.Contoso.COM., \"*.lync.com\", bücher.example]")).Rules;

        Assert.Equal(["sip.contoso.com", "*.lync.com", "xn--bcher-kva.example"], rules.Single(r => r.Id == "site-partner").ServerNames!.Select(n => n.ToString()));
        Assert.Null(rules.Single(r => r.Id == "demo-sip").ServerNames);
    }

    [Theory]
    [InlineData("sip.contoso.com", "sip.contoso.com", true)]
    [InlineData("sip.contoso.com", "www.contoso.com", false)]
    [InlineData("*.lync.com", "sipfed.online.lync.com", true)]
    [InlineData("*.lync.com", "lync.com", false)]
    [InlineData("*.lync.com", "notlync.com", false)]
    [InlineData("*.lync.com", "pastebin.com", false)]
    public void ANameMatchesItselfAndAPatternTheNamesUnderIt(string pattern, string named, bool matches)
    {
        Assert.True(ServerName.TryParse(pattern, out var name, out _));
        Assert.Equal(matches, name.Matches(ServerName.Normalize(named)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a.*")]
    [InlineData("\u0000.com")]
    [InlineData("a\tb.com")]
    [InlineData("123.456")]
    public void TextThatIsNoNameOrPatternIsRefusedWithoutThrowing(string text)
    {
        Assert.False(ServerName.TryParse(text, out _, out string problem));
        Assert.NotEmpty(problem);
    }

    [Fact]
    public void ANameOverTheDnsLimitsIsRefusedAsTheLimitsSay()
    {
        Assert.True(ServerName.TryParse(new string('a', 63) + ".example", out _, out _));
        Assert.False(ServerName.TryParse(new string('a', 64) + ".example", out _, out _));
        // Four labels of 63 and the dots: 255 characters, past 253.
        Assert.False(ServerName.TryParse(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)), out _, out _));
        // 70 umlauts make a label past 63 as their A-label.
        Assert.False(ServerName.TryParse(new string('ü', 70) + ".example", out _, out _));
    }

    [Theory]
    [InlineData("SIPFED.Online.Lync.com.", "sipfed.online.lync.com")]
    [InlineData("10.0.0.5", null)]
    [InlineData("[2001:db8::1]", null)]
    [InlineData("evil.com\\x00.lync.com", null)]
    [InlineData("a..b", null)]
    public void AFlowsNameIsComparedAsDnsHasItAndAnythingElseIsNoName(string named, string? normalized)
    {
        Assert.Equal(normalized, ServerName.Normalize(named));
    }

    [Theory]
    [InlineData("serverNames: [sip.contoso.com, \"*.*.lync.com\"]", 8, 36, "bad server name '*.*.lync.com': a '*' stands only first, for the subdomains of the name after '*.'")]
    [InlineData("serverNames: [\"bad name.com\"]", 8, 19, "bad server name 'bad name.com': not a DNS name (letters, digits, '-' and '_' in labels of 1 to 63, joined by '.')")]
    [InlineData("serverNames: [192.0.2.7]", 8, 19, "bad server name '192.0.2.7': not a DNS name (letters, digits, '-' and '_' in labels of 1 to 63, joined by '.')")]
    [InlineData("serverNames: []", 8, 18, "field 'serverNames' is empty: list the names the rule's servers are reached by, or leave it out for any")]
    public void AMistakeIsRefusedAtItsLine(string names, int line, int column, string problem)
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules);
        var error = Assert.Single(Assert.Throws<CatalogException>(() => catalog.LoadWithSite(SiteRule(names))).Errors);

        Assert.Equal(catalog.SitePath, error.File);
        Assert.Equal((line, column, problem), (error.Line, error.Column, error.Problem));
    }
}
