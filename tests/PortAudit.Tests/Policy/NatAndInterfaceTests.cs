using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Report.Audits;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Address translation and interface names in the model: a destination NAT of a port before the filter is evaluated, every
/// other translation is reported as understood and not evaluated (never as a construct not understood, never silently);
/// interfaces (iifname, oifname, ASA access-group and nat interfaces) are carried and shown.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NatAndInterfaceTests
{
    private static PolicyQuery Tcp(string client, string server, int port) => new(IpProtocol.Tcp, IpAddr.Parse(client), 40000, IpAddr.Parse(server), port);

    private const string PortForward = """
        table ip nat {
          chain prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            iifname "wan0" tcp dport 8443 dnat to 10.0.0.5:443 comment "published web server"
            tcp dport 2222 dnat to 10.0.0.6:22
            tcp dport 9000 dnat to tcp dport map { 9000 : 10.0.0.7 }
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            oifname "wan0" masquerade
          }
        }
        table inet filter {
          chain forward {
            type filter hook forward priority 0; policy drop;
            ip daddr 10.0.0.5 tcp dport 443 accept
            iifname "wan0" oifname "lan0" ip daddr 10.0.0.6 tcp dport 22 accept comment "admin from outside"
          }
        }
        """;

    [Fact]
    public void Nftables_destination_nat_of_a_port_is_evaluated_and_other_translations_are_reported()
    {
        var policy = NftTextParser.Parse(PortForward, "fw.nft");

        Assert.Empty(policy.Issues);
        var nat = policy.Nat.ToList();
        Assert.Equal(["dnat", "dnat", "dnat", "masquerade"], nat.Select(r => r.Nat!.Kind));
        Assert.Equal([true, true, false, false], nat.Select(r => r.Nat!.Evaluated));
        Assert.Equal((IpAddr.Parse("10.0.0.6"), 22), (nat[1].Nat!.ToAddress!.Value, nat[1].Nat!.ToPort!.Value));
        Assert.Contains("not one fixed address or port", nat[2].Nat!.Treatment, StringComparison.Ordinal);
        Assert.Contains("source translation", nat[3].Nat!.Treatment, StringComparison.Ordinal);

        // 2222 is sent to 10.0.0.6:22, which the forward chain allows: the verdict names the translation.
        var forwarded = PolicyEvaluator.Evaluate(policy, Tcp("198.51.100.7", "203.0.113.1", 2222));
        Assert.Equal(PolicyDecision.Undecided, forwarded.Decision);
        Assert.Contains("iifname", forwarded.Rule!.Interfaces, StringComparison.Ordinal);
        // Without the interface condition of the filter the translation alone decides.
        var viaDnat = PolicyEvaluator.Evaluate(NftTextParser.Parse(PortForward.Replace("iifname \"wan0\" oifname \"lan0\" ", "", StringComparison.Ordinal), "fw.nft"),
            Tcp("198.51.100.7", "203.0.113.1", 2222));
        Assert.Equal(PolicyDecision.Allowed, viaDnat.Decision);
        Assert.Equal("inet filter forward#2 after dnat to 10.0.0.6:22 (ip nat prerouting#2)", viaDnat.DecidedBy);
        // A port no translation sends anywhere the filter allows stays blocked.
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("198.51.100.7", "203.0.113.1", 2223)).Decision);
        // The translation that may apply (it needs the interface) makes 8443 undecided, not silently blocked.
        var published = PolicyEvaluator.Evaluate(policy, Tcp("198.51.100.7", "203.0.113.1", 8443));
        Assert.Equal(PolicyDecision.Undecided, published.Decision);
        Assert.Equal("ip nat prerouting#1", published.Rule!.Id);
    }

    [Fact]
    public void Interfaces_are_shown_with_the_rule()
    {
        var policy = NftTextParser.Parse(PortForward, "fw.nft");
        var admin = policy.Chain("inet filter forward")!.Rules[1];

        Assert.Equal(("wan0", "lan0"), (admin.InInterface, admin.OutInterface));
        Assert.Equal("tcp any -> 10.0.0.6:22 iifname wan0 oifname lan0", FirewallReportWriter.Match(admin));
    }

    [Fact]
    public void Iptables_nat_table_is_read_for_its_translations_on_no_path()
    {
        var policy = IptablesSaveParser.Parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80
            -A PREROUTING -p tcp --dport 8081 -j REDIRECT --to-ports 3128
            -A POSTROUTING -o eth0 -j MASQUERADE
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -d 10.0.0.5/32 -p tcp --dport 80 -j ACCEPT
            COMMIT
            """, "rules.v4");

        Assert.Empty(policy.Issues);
        Assert.Equal(["dnat", "redirect", "masquerade"], policy.Nat.Select(r => r.Nat!.Kind));
        Assert.Equal("-j DNAT --to-destination 10.0.0.5:80", policy.Nat.First().Nat!.Text);
        Assert.Equal(3128, policy.Nat.ElementAt(1).Nat!.ToPort);
        Assert.All(policy.Paths, p => Assert.DoesNotContain(p.Chains, c => c.StartsWith("nat ", StringComparison.Ordinal)));
        // -i eth0 needs the capture point's interface: the translation may apply, so the verdict says undecided.
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Tcp("198.51.100.7", "203.0.113.1", 8080)).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp("198.51.100.7", "10.0.0.5", 80)).Decision);
    }

    [Fact]
    public void Asa_nat_and_static_are_understood_not_evaluated_with_their_interfaces()
    {
        var policy = AsaParser.Parse("""
            object network web
             host 10.0.0.5
             nat (inside,outside) static 203.0.113.5 service tcp 80 80
            nat (inside,outside) source dynamic any interface
            static (inside,outside) tcp 203.0.113.6 22 10.0.0.6 22 netmask 255.255.255.255
            access-list outside_in extended permit tcp any host 10.0.0.5 eq 80
            access-group outside_in in interface outside
            """, "asa.cfg");

        Assert.Empty(policy.Issues);
        var nat = policy.Nat.ToList();
        Assert.Equal(["nat", "nat", "static"], nat.Select(r => r.Nat!.Kind));
        Assert.StartsWith("object network web: nat (inside,outside) static", nat[0].Nat!.Text, StringComparison.Ordinal);
        Assert.All(nat, r => Assert.Equal(("inside", "outside", false), (r.InInterface, r.OutInterface, r.Nat!.Evaluated)));
        var permit = policy.Chain("outside_in")!.Rules[0];
        Assert.Equal("on in outside", permit.Interfaces);
        Assert.Equal("outside_in#1 on in outside", PolicyEvaluator.Evaluate(policy, Tcp("198.51.100.7", "10.0.0.5", 80)).DecidedBy);
    }
}
