using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// nftables base chains on the hooks around input and forward: a prerouting filter chain and a drop in a prerouting nat
/// chain refuse what the forward chain accepts (the kernel differential test's c1 and c2); a chain on a hook no path
/// walks (ingress, netdev, bridge) is listed as not understood, and a connection it may drop is undecided: loaded with
/// nft -f on a router, a netdev ingress chain on the client's side dropping tcp/22 dropped the connection the forward
/// chain accepts.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NftHookTests
{
    private const string Forward = """
        table inet f {
          chain forward {
            type filter hook forward priority 0; policy drop;
            ct state established,related accept
            tcp dport { 80, 81 } accept
          }
        }
        """;

    private static PolicyQuery Tcp(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    [Fact]
    public void A_prerouting_filter_chain_is_on_the_path_before_input_and_forward()
    {
        var policy = NftTextParser.Parse("""
            table inet p {
              chain pre {
                type filter hook prerouting priority 0; policy accept;
                tcp dport 81 drop
              }
            }
            """ + "\n" + Forward, "c1.nft");

        var refused = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);
        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "inet p pre#1"), (refused.Decision, refused.DecidedBy));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), (web.Decision, web.DecidedBy));
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Host).Decision);
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void A_drop_in_a_prerouting_nat_chain_blocks_the_connection()
    {
        var policy = NftTextParser.Parse("""
            table ip n {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                tcp dport 81 drop
              }
            }
            """ + "\n" + Forward, "c2.nft");

        var refused = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "ip n pre#1"), (refused.Decision, refused.DecidedBy));
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network).Decision);
    }

    [Fact]
    public void A_postrouting_filter_chain_judges_forwarded_flows_not_those_to_the_host()
    {
        var policy = NftTextParser.Parse(Forward + "\n" + """
            table inet q {
              chain post {
                type filter hook postrouting priority 0; policy accept;
                tcp dport 81 drop
              }
            }
            """, "post.nft");

        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Host).Decision);
    }

    [Fact]
    public void A_prerouting_chain_before_dstnat_sees_the_destination_untranslated()
    {
        var policy = NftTextParser.Parse("""
            table ip n {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                tcp dport 8080 dnat to 10.99.2.2:80
              }
            }
            table inet p {
              chain early {
                type filter hook prerouting priority raw; policy accept;
                ip saddr 10.99.1.3 tcp dport 8080 drop
              }
              chain late {
                type filter hook prerouting priority 0; policy accept;
                tcp dport 8080 drop
              }
            }
            """ + "\n" + Forward, "pre.nft");

        var early = PolicyEvaluator.Evaluate(policy, Tcp(8080) with { Source = IpAddr.Parse("10.99.1.3") }, PolicyPoint.Network);
        var late = PolicyEvaluator.Evaluate(policy, Tcp(8080), PolicyPoint.Network);

        // The chain at raw priority sees 8080 as sent; the one after dstnat sees 80, as translated.
        Assert.Equal((PolicyDecision.Blocked, "inet p early#1"), (early.Decision, early.DecidedBy));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2 after dnat to 10.99.2.2:80 (ip n pre#1)"), (late.Decision, late.DecidedBy));
    }

    [Fact]
    public void An_ingress_chain_that_can_drop_is_listed_as_not_understood()
    {
        var policy = NftTextParser.Parse("""
            table netdev edge {
              chain in {
                type filter hook ingress device "eth0" priority 0; policy accept;
                tcp dport 81 drop
              }
              chain counted {
                type filter hook ingress device "eth1" priority 0; policy accept;
                counter
              }
            }
            """ + "\n" + Forward, "ingress.nft");

        var issue = Assert.Single(policy.Issues);
        Assert.Equal((3, "chain netdev edge in (hook netdev ingress)"), (issue.Location.Line, issue.Construct));
    }

    // nft list ruleset of the router in the kernel test (case ni1): the netdev chain on vr1, the client's side.
    private const string Ingress = """
        table netdev edge {
          chain in {
            type filter hook ingress device "vr1" priority filter; policy accept;
            tcp dport 22 drop
          }
        }
        table inet f {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            tcp dport { 22, 80 } accept
          }
        }
        """;

    // nft -j list ruleset of the same router (nft 1.0.6 leaves the device out).
    private const string IngressJson = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "netdev", "name": "edge", "handle": 1}}, {"chain": {"family": "netdev", "table": "edge", "name": "in", "handle": 1, "type": "filter", "hook": "ingress", "prio": 0, "policy": "accept"}}, {"rule": {"family": "netdev", "table": "edge", "chain": "in", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"drop": null}]}}, {"table": {"family": "inet", "name": "f", "handle": 2}}, {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 2, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [22, 80]}}}, {"accept": null}]}}]}
        """;

    [Theory]
    [InlineData(PolicyFormat.NftText)]
    [InlineData(PolicyFormat.NftJson)]
    public void A_connection_an_ingress_chain_drops_is_undecided_not_allowed(PolicyFormat format)
    {
        var policy = PolicyLoader.Parse(format == PolicyFormat.NftText ? Ingress : IngressJson, "ni1", format);

        foreach (var point in new[] { PolicyPoint.Network, PolicyPoint.Host, PolicyPoint.Unknown })
        {
            var ssh = PolicyEvaluator.Evaluate(policy, Tcp(22), point);
            Assert.Equal((PolicyDecision.Undecided, "netdev edge in#1"), (ssh.Decision, ssh.DecidedBy));
        }
        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), (web.Decision, web.DecidedBy));
        // A connection the forward chain blocks stays blocked: the ingress chain cannot let it through.
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network).Decision);
    }

    [Fact]
    public void An_ingress_chain_with_a_policy_of_drop_leaves_what_it_does_not_accept_undecided()
    {
        var policy = NftTextParser.Parse("""
            table netdev edge {
              chain in {
                type filter hook ingress device "eth0" priority 0; policy drop;
                tcp dport 80 accept
                udp dport 53 accept
              }
            }
            """ + "\n" + Forward, "ingress.nft");

        var blocked = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);
        Assert.Equal((PolicyDecision.Undecided, "policy of netdev edge in"), (blocked.Decision, blocked.DecidedBy));
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network).Decision);
    }

    [Fact]
    public void A_bridge_chain_that_may_drop_leaves_the_connection_undecided_and_one_that_only_counts_does_not()
    {
        var policy = NftTextParser.Parse("""
            table bridge br {
              chain forward {
                type filter hook forward priority 0; policy accept;
                ip saddr 10.99.1.0/24 tcp dport 81 drop
              }
            }
            table netdev edge {
              chain counted {
                type filter hook ingress device "eth1" priority 0; policy accept;
                counter
              }
            }
            """ + "\n" + Forward, "bridge.nft");

        var dropped = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);
        Assert.Equal((PolicyDecision.Undecided, "bridge br forward#1"), (dropped.Decision, dropped.DecidedBy));
        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), (web.Decision, web.DecidedBy));
    }
}
