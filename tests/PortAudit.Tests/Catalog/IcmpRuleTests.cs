using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Tests.Catalog;

/// <summary>
/// A rule's <c>icmp</c> list: message names as nftables spells them, error names by code, numbers, and mistakes refused at
/// their file and line with the name meant; the names themselves (<see cref="IcmpMessages"/>) read back as written.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class IcmpRuleTests : IDisposable
{
    private readonly TempCatalog _catalog = new(TempCatalog.ValidRules);

    public void Dispose() => _catalog.Dispose();

    private static string SiteRule(string transport, string icmp) => $"""
        rules:
          - id: site-ping
            from: client
            to: server
            transport: {transport}
            {icmp}
        """;

    private RoleCatalog LoadSite(string text) => _catalog.LoadWithSite(text);

    private CatalogError LoadBroken(string text)
    {
        var error = Assert.Single(Assert.Throws<CatalogException>(() => LoadSite(text)).Errors);
        Assert.Equal(_catalog.SitePath, error.File);
        return error;
    }

    [Fact]
    public void AnIcmpRuleNamesMessagesByNameNumberAndCodeAndNeedsNoProtocol()
    {
        var rule = LoadSite(SiteRule("icmp", "icmp: [echo-request, port-unreachable, 13, 3/1]")).Rules.Single(r => r.Id == "site-ping");

        Assert.Equal([Transport.Icmp], rule.Transports);
        Assert.Equal("icmp", rule.Protocol);
        Assert.Equal(["echo-request", "port-unreachable", "timestamp-request", "host-unreachable"], rule.Icmp!.Select(m => m.ToString()));
        Assert.True(IcmpMessage.Any(rule.Icmp!, 8, 0));
        Assert.True(IcmpMessage.Any(rule.Icmp!, 3, 3));
        Assert.False(IcmpMessage.Any(rule.Icmp!, 3, 13));
        Assert.False(IcmpMessage.Any(rule.Icmp!, 0, 0));
    }

    [Fact]
    public void WithoutAnIcmpListAnyMessageMatches()
    {
        var rule = LoadSite(SiteRule("icmpv6", "notes: any ICMPv6")).Rules.Single(r => r.Id == "site-ping");

        Assert.Equal([Transport.IcmpV6], rule.Transports);
        Assert.Null(rule.Icmp);
    }

    [Theory]
    [InlineData("icmp", "icmp: [echo-requst]", 6, 12, "unknown icmp message 'echo-requst': did you mean echo-request?")]
    [InlineData("icmp", "icmp: [echo-request, time-excede]", 6, 26, "unknown icmp message 'time-excede': did you mean time-exceeded?")]
    [InlineData("icmp", "icmp: packet-too-big", 6, 11, "unknown icmp message 'packet-too-big': an icmpv6 message, not an icmp one")]
    [InlineData("icmpv6", "icmp: [nd-neighbour-solicit]", 6, 12, "unknown icmpv6 message 'nd-neighbour-solicit': did you mean nd-neighbor-solicit?")]
    [InlineData("icmp", "icmp: [8/300]", 6, 12, "unknown icmp message '8/300'")]
    public void AnUnknownMessageIsRefusedAtItsLineWithTheNameMeant(string transport, string icmp, int line, int column, string problem)
    {
        var error = LoadBroken(SiteRule(transport, icmp));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith(problem, error.Problem);
        Assert.EndsWith("(expected a name such as echo-request or destination-unreachable, a type number, or TYPE/CODE)", error.Problem);
    }

    [Theory]
    [InlineData("tcp\n    port: 22\n    protocol: ssh", "icmp: [echo-request]", "field 'icmp' names ICMP messages: it needs transport icmp or icmpv6, not tcp")]
    [InlineData("icmp", "icmp: []", "field 'icmp' is empty: list the messages (echo-request...), or leave it out for any ICMP")]
    [InlineData("icmp\n    port: 7", "icmp: [echo-request]", "transport icmp has no ports; remove 'port'")]
    public void AnIcmpListOutOfPlaceIsRefused(string transport, string icmp, string problem)
    {
        var error = LoadBroken(SiteRule(transport, icmp));

        Assert.Equal(problem, error.Problem);
    }

    [Fact]
    public void AnIcmpListOnTheRpcShorthandIsRefused()
    {
        var error = LoadBroken(SiteRule("icmp", "icmp: [echo-request]").Replace("transport: icmp", "rpc: 49152-65535"));

        Assert.Equal("'icmp' cannot be combined with 'rpc' (it stands for TCP 135 and the dynamic range)", error.Problem);
    }

    [Fact]
    public void AMisspeltTransportIsRefusedWithTheOneMeant()
    {
        var error = LoadBroken(SiteRule("icpm", "protocol: icmp"));

        Assert.StartsWith("unknown transport 'icpm': did you mean icmp? (expected tcp, udp, both, icmp, icmpv6, esp, ah or gre)", error.Problem);
    }

    [Theory]
    [InlineData(IpProtocol.Icmp, 8, 0, "echo-request")]
    [InlineData(IpProtocol.Icmp, 3, 3, "port-unreachable")]
    [InlineData(IpProtocol.Icmp, 3, 200, "unreachable")]
    [InlineData(IpProtocol.IcmpV6, 128, 0, "echo-request")]
    [InlineData(IpProtocol.IcmpV6, 135, 0, "nd-neighbor-solicit")]
    [InlineData(IpProtocol.Icmp, 42, 0, null)]
    public void MessagesAreNamedByTheirMostSpecificName(byte protocol, byte type, byte code, string? name) =>
        Assert.Equal(name, IcmpMessages.MessageName(protocol, type, code));

    [Fact]
    public void EveryNameReadsBackAsItsTypeAndCode()
    {
        foreach (byte protocol in new[] { IpProtocol.Icmp, IpProtocol.IcmpV6 })
        foreach (string name in IcmpMessages.Names(protocol))
        {
            Assert.True(IcmpMessages.TryParse(protocol, name, out byte type, out short code), name);
            Assert.Equal(name, new IcmpMessage(protocol, type, code).ToString());
        }
    }
}
