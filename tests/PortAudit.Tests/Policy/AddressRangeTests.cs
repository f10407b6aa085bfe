using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Address ranges of both families, as the kernel compares them: loaded on a namespace host (fd00:9::100, its clients
/// fd00:9::5 and fd00:9::1:5), <c>ip6 saddr fd00:9::2-fd00:9::ff tcp dport 80 drop</c> (nft) and <c>-m iprange
/// --src-range fd00:9::2-fd00:9::ff ... -j DROP</c> (ip6tables) each dropped fd00:9::5's connection to 80 and passed
/// fd00:9::1:5's. An IPv6 range was read as its two end addresses, so fd00:9::5 matched nothing and its refused
/// connection was "unanswered although firewall srv allows it".
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class AddressRangeTests
{
    private static PolicyVerdict ToPort80(FirewallPolicy policy, string client) =>
        PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse(client), 50000, IpAddr.Parse("fd00:9::100"), 80), PolicyPoint.Host);

    [Theory]
    [InlineData("fd00:9::5", PolicyDecision.Blocked)]
    [InlineData("fd00:9::2", PolicyDecision.Blocked)]
    [InlineData("fd00:9::ff", PolicyDecision.Blocked)]
    [InlineData("fd00:9::1:5", PolicyDecision.Allowed)]
    [InlineData("fd00:9::1", PolicyDecision.Allowed)]
    public void An_ipv6_range_holds_every_address_between_its_ends(string client, PolicyDecision decision)
    {
        var nft = PolicyLoader.Parse("""
            table inet f {
              chain input {
                type filter hook input priority 0; policy accept;
                ip6 saddr fd00:9::2-fd00:9::ff tcp dport 80 drop
              }
            }
            """, "r.nft", PolicyFormat.NftText);
        var iptables = IptablesSaveParser.Parse("""
            *filter
            :INPUT ACCEPT [0:0]
            -A INPUT -p tcp -m iprange --src-range fd00:9::2-fd00:9::ff -m tcp --dport 80 -j DROP
            COMMIT
            """, "r6.rules");

        Assert.Empty(nft.Issues);
        Assert.Empty(iptables.Issues);
        Assert.Equal(decision, ToPort80(nft, client).Decision);
        Assert.Equal(decision, ToPort80(iptables, client).Decision);
    }

    [Fact]
    public void A_range_is_the_fewest_prefixes_covering_it()
    {
        static string[] Prefixes(string from, string to) =>
            NftMatches.RangePrefixes(IpAddr.Parse(from), IpAddr.Parse(to)).Select(p => p.ToString()).ToArray();

        Assert.Equal(["fd00:9::2/127", "fd00:9::4/126", "fd00:9::8/125", "fd00:9::10/124", "fd00:9::20/123", "fd00:9::40/122", "fd00:9::80/121"],
            Prefixes("fd00:9::2", "fd00:9::ff"));
        Assert.Equal(["10.0.0.1", "10.0.0.2/31"], Prefixes("10.0.0.1", "10.0.0.3"));
        Assert.Equal(["0.0.0.0/0"], Prefixes("0.0.0.0", "255.255.255.255"));
        Assert.Equal(["::/0"], Prefixes("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        Assert.Equal(["2001:db8::/32", "2001:db9::"], Prefixes("2001:db8::", "2001:db9::"));
        Assert.Empty(Prefixes("10.0.0.3", "10.0.0.1"));
    }
}
