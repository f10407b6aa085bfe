using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Catalog;

[Trait(Tier.Name, Tier.Unit)]
public class RuleIndexTests
{
    private static readonly RuleSource Source = new("doc.txt", "Ports", "row");

    private static Rule MakeRule(string id, RuleSide from, RuleSide to, Transport[] transports, PortRange[] ports,
        bool dynamic = false, string[]? conditions = null) => new()
    {
        Id = id, Product = "demo", From = from, To = to, Transports = transports, Ports = ports,
        Protocol = "x", DynamicRange = dynamic, Conditions = conditions ?? [], Source = Source,
    };

    private static readonly Role[] Roles =
        [new("client", "c"), new("server", "s"), new("edge", "e"), new("partner", "p")];

    private static RuleIndex Index(params Rule[] rules) =>
        new(new RoleCatalog(Roles, [new Feature("federation", "f")], rules));

    private static List<string> Ids(RuleMatches matches)
    {
        var ids = new List<string>();
        foreach (var rule in matches)
            ids.Add(rule.Id);
        return ids;
    }

    [Fact]
    public void SinglePortMatchesOnlyItsTransportPortAndRoles()
    {
        var index = Index(MakeRule("sip", "client", "server", [Transport.Tcp], [new(5061, 5061)]));
        RoleSet client = index.RoleSetOf("client"), server = index.RoleSetOf("server");

        Assert.Equal(["sip"], Ids(index.Match(Transport.Tcp, 5061, client, server)));
        Assert.Empty(Ids(index.Match(Transport.Udp, 5061, client, server)));
        Assert.Empty(Ids(index.Match(Transport.Tcp, 5060, client, server)));
        Assert.Empty(Ids(index.Match(Transport.Tcp, 5061, server, client)));
    }

    [Fact]
    public void ARangeListedManyTimesIsIndexedOnceAndMatchesOnce()
    {
        // A 700 KB site rule listing 1-256 100,000 times, both transports, expanded to 51 million entries (3.5 GB).
        var ports = Enumerable.Repeat(new PortRange(1, 256), 100_000).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var index = Index(MakeRule("bomb", "client", "server", [Transport.Tcp, Transport.Udp], ports));
        RoleSet client = index.RoleSetOf("client"), server = index.RoleSetOf("server");

        Assert.Equal(["bomb"], Ids(index.Match(Transport.Tcp, 80, client, server)));
        Assert.Empty(Ids(index.Match(Transport.Tcp, 257, client, server)));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 5);
    }

    [Fact]
    public void AnyMatchesNamedHostsOnlyAndHostsWithSeveralRolesMatchEachRole()
    {
        var index = Index(
            MakeRule("dns", "any", "server", [Transport.Tcp, Transport.Udp], [new(53, 53)]),
            MakeRule("edge-out", "edge", "any", [Transport.Udp], [new(3478, 3478)]));
        var multi = index.CreateEndpointSet(["client", "edge"], named: true, Zone.Internal, zoneListed: true);
        var stranger = index.CreateEndpointSet([], named: false, Zone.Internal, zoneListed: true);

        Assert.True(index.Allows(Transport.Udp, 53, index.RoleSetOf("partner"), index.RoleSetOf("server")));
        Assert.True(index.Allows(Transport.Tcp, 53, multi, index.RoleSetOf("server")));
        Assert.True(index.Allows(Transport.Udp, 3478, multi, index.RoleSetOf("partner")));
        Assert.False(index.Allows(Transport.Udp, 3478, index.RoleSetOf("client"), index.RoleSetOf("partner")));
        // "any" is every host the inventory names: an address it does not know is no longer let through.
        Assert.False(index.Allows(Transport.Udp, 53, stranger, index.RoleSetOf("server")));
    }

    [Fact]
    public void ScopedAnyMatchesItsZoneNamedHostsAndEveryAddressOfAnUnlistedZone()
    {
        var index = Index(
            MakeRule("edge-in", "any@external", "edge", [Transport.Tcp], [new(443, 443)]),
            MakeRule("dc-ldap", "any@internal", "server", [Transport.Tcp], [new(389, 389)]),
            MakeRule("mixed", new RuleSide(["client", "any@perimeter"]), "server", [Transport.Tcp], [new(8080, 8080)]));
        var internet = index.CreateEndpointSet([], named: false, Zone.External, zoneListed: false);
        var named = index.CreateEndpointSet(["partner"], named: true, Zone.Internal, zoneListed: true);
        var stranger = index.CreateEndpointSet([], named: false, Zone.Internal, zoneListed: true);
        var dmzHost = index.CreateEndpointSet(["partner"], named: true, Zone.Perimeter, zoneListed: true);
        RoleSet edge = index.RoleSetOf("edge"), server = index.RoleSetOf("server");

        Assert.True(index.Allows(Transport.Tcp, 443, internet, edge));
        Assert.False(index.Allows(Transport.Tcp, 443, named, edge));
        Assert.True(index.Allows(Transport.Tcp, 389, named, server));
        Assert.False(index.Allows(Transport.Tcp, 389, stranger, server));
        Assert.False(index.Allows(Transport.Tcp, 389, internet, server));
        Assert.True(index.Allows(Transport.Tcp, 8080, dmzHost, server));
        Assert.True(index.Allows(Transport.Tcp, 8080, index.RoleSetOf("client"), server));
        Assert.False(index.Allows(Transport.Tcp, 8080, named, server));
    }

    [Fact]
    public void WideAndShortRangesMatchTheirBoundsOnly()
    {
        var index = Index(
            MakeRule("dcom", "client", "server", [Transport.Tcp], [new(5000, 5020)], dynamic: true),
            MakeRule("media", "client", "server", [Transport.Udp], [new(49152, 57500)]),
            MakeRule("cls", "client", "server", [Transport.Tcp], [new(50001, 50003)]));
        RoleSet c = index.RoleSetOf("client"), s = index.RoleSetOf("server");

        Assert.Equal(["dcom"], Ids(index.Match(Transport.Tcp, 5020, c, s)));
        Assert.Empty(Ids(index.Match(Transport.Tcp, 5021, c, s)));
        Assert.Equal(["media"], Ids(index.Match(Transport.Udp, 49152, c, s)));
        Assert.Empty(Ids(index.Match(Transport.Udp, 57501, c, s)));
        Assert.Equal(["cls"], Ids(index.Match(Transport.Tcp, 50002, c, s)));
    }

    [Fact]
    public void IpProtocolRulesMatchWithoutPorts()
    {
        var index = Index(MakeRule("esp", "any", "edge", [Transport.Esp], []));

        Assert.True(index.Allows(Transport.Esp, 0, index.RoleSetOf("client"), index.RoleSetOf("edge")));
        Assert.True(index.Allows(Transport.Esp, 1234, index.RoleSetOf("client"), index.RoleSetOf("edge")));
        Assert.False(index.Allows(Transport.Ah, 0, index.RoleSetOf("client"), index.RoleSetOf("edge")));
    }

    [Fact]
    public void FeatureFilterLeavesOutRulesWhoseConditionsAreNotMet()
    {
        var catalog = new RoleCatalog(Roles, [new Feature("federation", "f")],
            [MakeRule("fed", "partner", "edge", [Transport.Tcp], [new(5061, 5061)], conditions: ["federation"])]);

        Assert.Empty(new RuleIndex(catalog, features: []).Rules);
        Assert.Single(new RuleIndex(catalog, features: ["federation"]).Rules);
    }

    [Fact]
    public void PortHintsRankFixedOverRangeOverDynamic()
    {
        var index = Index(
            MakeRule("dcom", "any", "server", [Transport.Tcp], [new(1024, 65535)], dynamic: true),
            MakeRule("media", "any", "server", [Transport.Tcp], [new(49152, 65535)]),
            MakeRule("sip", "any", "server", [Transport.Tcp], [new(5061, 5061)]));

        Assert.Equal(PortHint.Fixed, index.GetPortHint(Transport.Tcp, 5061));
        Assert.Equal(PortHint.Range, index.GetPortHint(Transport.Tcp, 50000));
        Assert.Equal(PortHint.Dynamic, index.GetPortHint(Transport.Tcp, 2000));
        Assert.Equal(PortHint.None, index.GetPortHint(Transport.Udp, 5061));
        Assert.Equal(PortHint.None, index.GetPortHint(Transport.Tcp, 80));
    }

    [Fact]
    public void RulesUsingPortFindsEveryTransportUnlessOneIsGiven()
    {
        var index = Index(
            MakeRule("dns-tcp", "any", "server", [Transport.Tcp], [new(53, 53)]),
            MakeRule("dns-udp", "any", "server", [Transport.Udp], [new(53, 53)]));

        Assert.Equal(["dns-tcp", "dns-udp"], index.RulesUsingPort(53).Select(r => r.Id));
        Assert.Equal(["dns-udp"], index.RulesUsingPort(53, Transport.Udp).Select(r => r.Id));
    }

    [Fact]
    public void UnknownRoleInARoleSetIsRejected()
    {
        var index = Index();

        Assert.Throws<ArgumentException>(() => index.RoleSetOf("nobody"));
    }

    [Fact]
    public void MatchingAllocatesNothing()
    {
        var index = Index(
            MakeRule("sip", "client", "server", [Transport.Tcp], [new(5061, 5061)]),
            MakeRule("dcom", "client", "server", [Transport.Tcp], [new(1024, 65535)], dynamic: true));
        RoleSet c = index.RoleSetOf("client"), s = index.RoleSetOf("server");
        int Count()
        {
            int n = 0;
            foreach (var _ in index.Match(Transport.Tcp, 5061, c, s))
                n++;
            return n;
        }
        Count();

        int total = 0;
        long allocated = ThreadAllocation.Least(3, () =>
        {
            for (int i = 0; i < 1000; i++)
                total += Count();
        });

        Assert.Equal(3 * 2000, total);
        Assert.True(allocated < 1000, $"{allocated} bytes allocated for 1000 matches");
    }

    [Fact]
    public void DynamicRangeCanBeNarrowedPerDeployment()
    {
        var catalog = new RoleCatalog(Roles, [], [
            MakeRule("dcom", "client", "server", [Transport.Tcp], [new(1024, 65535)], dynamic: true),
            MakeRule("media", "client", "server", [Transport.Tcp], [new(49152, 65535)])]);

        var narrowed = new RuleIndex(catalog.WithDynamicRange(new PortRange(5000, 5020)));
        RoleSet c = narrowed.RoleSetOf("client"), s = narrowed.RoleSetOf("server");

        Assert.True(narrowed.Allows(Transport.Tcp, 5010, c, s));
        Assert.False(narrowed.Allows(Transport.Tcp, 6000, c, s));
        Assert.True(narrowed.Allows(Transport.Tcp, 50000, c, s));
    }

    [Fact]
    public void MayMatchIsFalseOnlyWhereNoRuleOfTheTransportCanMatchAtAnyPort()
    {
        var index = Index(
            MakeRule("sip", "client", "server", [Transport.Tcp], [new(5061, 5061)]),
            MakeRule("dcom", "edge", "partner", [Transport.Tcp], [new(49152, 65535)], dynamic: true));
        RoleSet client = index.RoleSetOf("client"), server = index.RoleSetOf("server");
        RoleSet edge = index.RoleSetOf("edge"), partner = index.RoleSetOf("partner");
        var stranger = index.CreateEndpointSet([], named: false, Zone.Internal, zoneListed: true);

        Assert.True(index.MayMatch(Transport.Tcp, client, server));
        // A dynamic range counts whatever the port.
        Assert.True(index.MayMatch(Transport.Tcp, edge, partner));
        Assert.False(index.MayMatch(Transport.Tcp, server, client));
        Assert.False(index.MayMatch(Transport.Udp, client, server));
        // An address the inventory does not name carries no role, so no rule can name it.
        Assert.False(index.MayMatch(Transport.Tcp, stranger, server));
        Assert.False(index.MayMatch(Transport.Tcp, client, stranger));
        // A filter, not an answer: client to partner matches no rule, but each side is named by some rule.
        Assert.True(index.MayMatch(Transport.Tcp, client, partner));
        Assert.Empty(Ids(index.Match(Transport.Tcp, 5061, client, partner)));
    }
}
