using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>Each dialect's semantics as the evaluator applies them: first match, jumps, goto, return, default policies, undecided.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class PolicyEvaluatorTests
{
    /// <summary>The lab's Front End firewall as tools/lab/lab.sh loads it with <c>nft -f</c>.</summary>
    internal static string LabRuleset => File.ReadAllText(SharedData.InRepository("tools/lab/fe01.nft"));

    private static PolicyQuery Tcp(string client, string server, int port) => new(IpProtocol.Tcp, IpAddr.Parse(client), 50000, IpAddr.Parse(server), port);

    [Fact]
    public void First_match_decides_and_the_default_policy_takes_the_rest()
    {
        var policy = NftTextParser.Parse(LabRuleset, "lab.nft");

        var refused = PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.77.0.10", 5061));
        var fromEdge = PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.20", "10.77.0.10", 5061));
        var other = PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.77.0.10", 9999));

        Assert.Equal(PolicyDecision.Blocked, refused.Decision);
        Assert.Equal("inet palab_fw input#4", refused.DecidedBy);
        Assert.Equal(9, refused.Rule!.Location.Line);
        Assert.Equal(PolicyDecision.Allowed, fromEdge.Decision);
        Assert.Equal("SIP over TLS", fromEdge.Rule!.Comment);
        Assert.Equal(PolicyDecision.Blocked, other.Decision);
        Assert.Null(other.Rule);
        Assert.Equal("policy of inet palab_fw input", other.DecidedBy);
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Jump_returns_goto_does_not_and_return_ends_the_chain()
    {
        var policy = IptablesSaveParser.Parse("""
            *filter
            :INPUT DROP [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :web - [0:0]
            :admin - [0:0]
            -A INPUT -p tcp -j web
            -A INPUT -p tcp --dport 22 -j ACCEPT
            -A INPUT -p udp -g admin
            -A INPUT -p udp -j ACCEPT
            -A web -p tcp --dport 22 -j RETURN
            -A web -p tcp -m multiport --dports 80,443 -j ACCEPT
            -A admin -s 10.0.0.0/8 -p udp --dport 53 -j ACCEPT
            COMMIT
            """, "t.rules");

        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp("192.0.2.1", "10.0.0.1", 443)).Decision);
        Assert.Equal("INPUT#2", PolicyEvaluator.Evaluate(policy, Tcp("192.0.2.1", "10.0.0.1", 22)).DecidedBy);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("192.0.2.1", "10.0.0.1", 25)).Decision);
        var dns = new PolicyQuery(IpProtocol.Udp, IpAddr.Parse("10.1.1.1"), 5353, IpAddr.Parse("10.0.0.1"), 53);
        Assert.Equal("admin#1", PolicyEvaluator.Evaluate(policy, dns).DecidedBy);
        // The goto target fell through: back to INPUT's caller, so its default policy, never INPUT#4.
        var ntp = dns with { Source = IpAddr.Parse("192.0.2.1"), DestinationPort = 123 };
        var verdict = PolicyEvaluator.Evaluate(policy, ntp);
        Assert.Equal(PolicyDecision.Blocked, verdict.Decision);
        Assert.Equal("policy of INPUT", verdict.DecidedBy);
    }

    [Fact]
    public void A_rule_that_may_match_makes_the_verdict_undecided_only_when_it_could_change_it()
    {
        var policy = IptablesSaveParser.Parse("""
            *filter
            :INPUT DROP [0:0]
            -A INPUT -i eth1 -p tcp --dport 22 -j DROP
            -A INPUT -m set --match-set trusted src -p tcp --dport 25 -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            -A INPUT -i eth1 -p tcp --dport 80 -j ACCEPT
            -A INPUT -p tcp --dport 80 -j ACCEPT
            COMMIT
            """, "u.rules");

        var ssh = PolicyEvaluator.Evaluate(policy, Tcp("192.0.2.1", "10.0.0.1", 22));
        Assert.Equal(PolicyDecision.Undecided, ssh.Decision);
        Assert.Equal("INPUT#1", ssh.DecidedBy);
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Tcp("192.0.2.1", "10.0.0.1", 25)).Decision);
        // INPUT#4 may match, and accepts like INPUT#5 that does: allowed either way.
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp("192.0.2.1", "10.0.0.1", 80)).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy with { }, Tcp("192.0.2.1", "10.0.0.1", 80) with { InInterface = "eth1" }).Decision);
        var issue = Assert.Single(policy.Issues);
        Assert.Equal(4, issue.Location.Line);
        Assert.Contains("trusted", issue.Construct, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_block_rules_win_over_allow_rules_whatever_their_order()
    {
        var policy = NetshParser.Parse("""
            netsh advfirewall firewall add rule name="web" dir=in action=allow protocol=tcp localport=80,443
            netsh advfirewall firewall add rule name="no web from lab" dir=in action=block protocol=tcp localport=80 remoteip=10.77.0.0/24
            """, "w.txt");

        Assert.Equal("inbound#2", PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.5", "10.0.0.1", 80)).DecidedBy);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.5", "10.0.0.1", 80)).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.5", "10.0.0.1", 443)).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.5", "10.0.0.1", 22)).Decision);
    }

    [Fact]
    public void Asa_interface_list_then_global_list_then_implicit_deny()
    {
        var policy = AsaParser.Parse("""
            object-group network lab
             network-object 10.77.0.0 255.255.255.0
            object-group service sip tcp
             port-object eq 5060
             port-object range 5061 5062
            access-list inside_in remark SIP to the Front End
            access-list inside_in extended permit tcp object-group lab host 10.0.0.10 object-group sip
            access-list inside_in extended deny tcp any any eq 80 log
            access-list everywhere extended permit tcp any any eq www
            access-group inside_in in interface inside
            access-group everywhere global
            """, "asa.cfg");

        var sip = PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.0.0.10", 5062));
        Assert.Equal(PolicyDecision.Allowed, sip.Decision);
        Assert.Equal("SIP to the Front End", sip.Rule!.Comment);
        // The interface the access-group binds the list to is part of the answer.
        Assert.Equal("inside_in#2 on in inside", PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.0.0.10", 80)).DecidedBy);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.0.0.10", 5060)).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("10.78.0.100", "10.0.0.10", 5060)).Decision);
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Get_NetFirewallRule_json_joined_with_its_filters_reads_like_netsh()
    {
        var policy = WindowsJsonParser.Parse("""
            [
              {"Name": "{a1}", "DisplayName": "SIP/TLS", "Enabled": 1, "Direction": 1, "Action": 2,
               "PortFilter": {"Protocol": "TCP", "LocalPort": ["5061", "5062"], "RemotePort": "Any"},
               "AddressFilter": {"LocalAddress": "Any", "RemoteAddress": ["10.77.0.0/255.255.255.0"]}},
              {"Name": "{a2}", "DisplayName": "Old web", "Enabled": "False", "Direction": "Inbound", "Action": "Allow",
               "Protocol": "TCP", "LocalPort": "8000", "RemoteAddress": "Any"},
              {"Name": "{a3}", "DisplayName": "Subnet only", "Enabled": true, "Direction": "Inbound", "Action": "Block",
               "Protocol": "TCP", "LocalPort": "5062", "RemoteAddress": "LocalSubnet"}
            ]
            """, "rules.json");

        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.0.0.10", 5061)).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("10.78.0.100", "10.0.0.10", 5061)).Decision);
        // A disabled rule allows nothing; a block rule on LocalSubnet may match, so 5062 is undecided.
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.0.0.10", 8000)).Decision);
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Tcp("10.77.0.100", "10.0.0.10", 5062)).Decision);
        var issue = Assert.Single(policy.Issues);
        Assert.Equal(3, issue.Location.Line);
    }

    [Fact]
    public void A_set_never_closed_before_megabytes_of_lines_is_read_in_one_pass()
    {
        // Found by tools/fuzz: each following line was joined to the statement and the whole statement tokenized
        // again, so an unclosed set before 2 MB of lines took minutes; now each line is tokenized once.
        var text = new System.Text.StringBuilder("table ip t {\n\tchain c {\n\t\tip saddr { 10.0.0.1,\n");
        for (int i = 0; i < 4000; i++) text.Append("\t\t10.0.0.2, ").Append('x', 2000).Append('\n');
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = Assert.Throws<InputException>(() => NftTextParser.Parse(text.ToString(), "unclosed.nft"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"parsing took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.StartsWith("unclosed.nft:2: 'chain c {' is never closed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jump_without_its_chain_is_reported_once_and_the_rule_read_on()
    {
        // Found by tools/fuzz: "jump" as the last word of a rule left the reader standing on it, growing its issue list.
        var policy = NftTextParser.Parse("table ip t {\n\tchain c1 {\n\t)jump\n\t}\n}\n", "jump.nft");
        Assert.InRange(policy.Issues.Count, 1, 2);
        Assert.Contains(policy.Issues, issue => issue.ToString()!.Contains("jump", StringComparison.Ordinal));
    }

    [Fact]
    public void Nft_json_of_another_shape_is_reported_where_it_is_not_thrown()
    {
        // Found by tools/fuzz: a match without "left" threw KeyNotFoundException out of the parser.
        const string json = """
            {"nftables": [
              {"chain": {"family": "ip", "table": "t", "name": "input", "hook": "input", "type": "filter", "prio": 0, "policy": "drop"}},
              {"rule": {"family": "ip", "table": "t", "chain": "input", "expr": [{"match": {"op": "==", "right": 22}}, {"accept": null}]}},
              "a string where an object belongs",
              {"chain": "not an object"}
            ]}
            """;
        var policy = NftJsonParser.Parse(json, "shape.json");

        Assert.Single(policy.Rules);
        Assert.Equal(3, policy.Issues.Count);
        Assert.Contains(policy.Issues, i => i.Expected == "a statement of the shape nft -j writes" && i.Location.Line == 3);
    }
}
