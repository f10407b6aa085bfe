using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// nftables text with several statements on a line, as people write files for <c>nft -f</c> (which reads them) and
/// <c>nft list ruleset</c> never writes them: a chain's header and rules on its opening line, a whole table on one line.
/// Each reads as the same ruleset listed over several lines; the kernel, loaded with such a file, dropped what these
/// tests expect blocked, where the reader had missed the chains and allowed everything.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NftStatementTests
{
    private static PolicyQuery Tcp(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    private static FirewallPolicy Parse(string text) => PolicyLoader.Parse(text, "r.nft", PolicyFormat.NftText);

    [Fact]
    public void A_chain_whose_header_and_rules_share_its_opening_line_is_read()
    {
        var policy = Parse("""
            table inet f {
              chain forward { type filter hook forward priority 0; policy drop;
                ct state established,related accept
                tcp dport 80 accept
              }
            }
            """);

        Assert.Empty(policy.Issues);
        var chain = Assert.Single(policy.Chains);
        Assert.Equal(("forward", PolicyAction.Drop, 2), (chain.Hook, chain.DefaultPolicy, chain.Rules.Count));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, 80));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 82));
    }

    [Fact]
    public void A_table_on_one_line_is_read_as_the_same_table_listed_over_several()
    {
        var policy = Parse("""
            table inet f { chain forward { type filter hook forward priority 0; policy drop; ct state established,related accept; tcp dport { 80, 443 } accept; }; }
            table inet g {
              chain early { type filter hook forward priority -10; policy accept; tcp dport 81 drop; }
            }
            """);

        Assert.Empty(policy.Issues);
        Assert.Equal(["inet f forward", "inet g early"], policy.Chains.Select(c => c.Name));
        Assert.Equal([2, 1], policy.Chains.Select(c => c.Rules.Count));
        Assert.Equal(["inet g early", "inet f forward"], Assert.Single(policy.Paths).Chains);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, 443));
        Assert.Equal((PolicyDecision.Blocked, "inet g early#1"), Verdict(policy, 81));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 82));
    }

    [Fact]
    public void Sets_and_objects_written_on_one_line_keep_their_braces_and_semicolons()
    {
        var policy = Parse("""
            table inet f { set admins { type ipv4_addr; flags interval; elements = { 10.99.1.0/24, 10.0.0.1 }; }; counter c { packets 0 bytes 0; }
              chain input { type filter hook input priority 0; policy drop; ip saddr @admins tcp dport 22 accept; }
            }
            """);

        Assert.Empty(policy.Issues);
        var rule = Assert.Single(Assert.Single(policy.Chains).Rules);
        Assert.Equal(2, rule.Source!.Prefixes.Count);
    }

    // The file loaded by nft -f into a namespace router, connections from 10.99.1.2 and .3 sent through it: the kernel
    // passed 40 and 41 from .2 and nothing else.
    [Fact]
    public void Elements_the_file_adds_after_its_rules_are_in_their_sets_and_maps_from_the_start()
    {
        var policy = Parse("""
            table inet f {
              set blocked {
                type ipv4_addr
              }
              set allowed {
                type ipv4_addr
                flags interval
                elements = { 10.99.1.200 }
              }
              map ports {
                type inet_service : verdict
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                ip saddr @blocked drop
                tcp dport vmap @ports
                ip saddr @allowed tcp dport 41 accept
              }
            }
            add element inet f blocked { 10.99.1.3 }
            add element inet f allowed { 10.99.1.0/30 }
            add element inet f ports { 40 : accept, 42 : drop }
            """);

        Assert.Empty(policy.Issues);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3.1"), Verdict(policy, 40));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#2"), Verdict(policy, 40, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#4"), Verdict(policy, 41));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#2"), Verdict(policy, 41, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#3.2"), Verdict(policy, 42));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 43));
    }

    [Fact]
    public void A_set_filled_only_at_run_time_stays_unknown_whatever_the_file_adds_to_another()
    {
        var policy = Parse("""
            table ip f {
              set seen {
                type ipv4_addr
                flags dynamic
              }
              set other {
                type ipv4_addr
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ip saddr @seen accept
                ip saddr @other accept
              }
            }
            add element ip f seen { 10.99.1.2 }
            """);

        Assert.Equal(["set @seen with its elements in the file", "set @other with its elements in the file"], policy.Issues.Select(i => i.Expected));
        Assert.Equal(PolicyDecision.Undecided, Verdict(policy, 40).Item1);
    }

    private static (PolicyDecision, string) Verdict(FirewallPolicy policy, int port, string client = "10.99.1.2")
    {
        var verdict = PolicyEvaluator.Evaluate(policy, Tcp(port) with { Source = IpAddr.Parse(client) }, PolicyPoint.Network);
        return (verdict.Decision, verdict.DecidedBy);
    }
}
