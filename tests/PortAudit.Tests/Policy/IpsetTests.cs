using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Policy;

/// <summary>A test that loads ipsets and iptables rules on a namespace router; skipped with the reason otherwise.</summary>
public sealed class IpsetRouterFactAttribute : FactAttribute
{
    public IpsetRouterFactAttribute() =>
        Skip = NamespaceRouter.Unavailable ?? RootTools.Unavailable("ipsets", "ipset restore", "ipset, iptables", "/usr/sbin/ipset", "/usr/sbin/iptables-restore");
}

/// <summary>
/// The ipsets an iptables ruleset looks up (<c>-m set --match-set NAME src</c>), with their members from <c>ipset save</c>'s
/// lines in the same file: the sets of addresses (<c>hash:ip</c>, with or without <c>netmask</c>, <c>hash:net</c>,
/// <c>bitmap:ip</c>) decide as the kernel decided connections across a namespace router with them loaded; the rest are
/// named as undecided, and a set created empty matches nothing and may be filled at run time.
/// </summary>
public static class IpsetRules
{
    /// <summary>The sets, as <c>ipset restore</c> takes them.</summary>
    public const string Sets = """
        create clients hash:ip family inet
        add clients 10.99.1.2
        create servers hash:net family inet
        add servers 10.99.2.0/24
        create others hash:ip family inet
        add others 10.99.1.7
        create masked hash:ip family inet netmask 24
        add masked 10.99.1.0
        create banned hash:ip family inet
        create ranged bitmap:ip range 10.99.1.0/24
        add ranged 10.99.1.1-10.99.1.3
        create knocked hash:ip family inet

        """;

    /// <summary>
    /// The port whose first rule adds the client to <c>knocked</c> (<c>-j SET</c>) and whose second accepts what
    /// <c>knocked</c> holds: the kernel passed it; from the file, what the set holds then is not known.
    /// </summary>
    public const int Knock = 89;

    /// <summary>Each rule's port, its match, and whether the kernel passed the client's (10.99.1.2) connection to the server (10.99.2.2).</summary>
    public static readonly (int Port, string Match, bool Passes)[] Rules =
    [
        (80, "-m set --match-set clients src", true),
        (81, "-m set --match-set others src", false),
        (82, "-m set ! --match-set others src", true),
        (83, "-m set --match-set servers dst", true),
        (84, "-m set --match-set clients dst", false),
        // The client's network is the set's one member.
        (85, "-m set --match-set masked src", true),
        (86, "-m set --match-set ranged src", true),
        // A set of one dimension takes the first flag.
        (87, "-m set --match-set clients src,dst", true),
        // An empty set holds no address: '!' matches every one.
        (88, "-m set ! --match-set banned src", true),
    ];

    /// <summary>The rules, as <c>iptables-restore</c> takes them; the first drops what the empty set <c>banned</c> holds.</summary>
    public static string Ruleset() => $"""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -m set --match-set banned src -j DROP
        {string.Join('\n', Rules.Select(r => $"-A FORWARD -p tcp {r.Match} -m tcp --dport {r.Port} -j ACCEPT"))}
        -A FORWARD -p tcp -m tcp --dport {Knock} -j SET --add-set knocked src
        -A FORWARD -p tcp -m set --match-set knocked src -m tcp --dport {Knock} -j ACCEPT
        COMMIT

        """;

    /// <summary>How <paramref name="policy"/> decides the client's connection to <paramref name="port"/> of the server.</summary>
    public static PolicyVerdict Verdict(FirewallPolicy policy, int port) => PolicyEvaluator.Evaluate(policy,
        new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse(NamespaceRouter.Client), 50000, IpAddr.Parse(NamespaceRouter.Server), port), PolicyPoint.Network);
}

/// <summary>The kernel's decisions with the sets loaded, against ours from the file as written and as the tools save it back.</summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class IpsetKernelTests
{
    [IpsetRouterFact]
    public void Set_matches_decide_connections_as_the_kernel_did_as_written_and_as_saved()
    {
        using var router = new NamespaceRouter("paipset");
        string rules = IpsetRules.Ruleset();
        router.LoadIptables(IpsetRules.Sets, rules);
        router.Listen(IpsetRules.Rules.Select(r => r.Port).Append(IpsetRules.Knock));
        var passed = router.Passed(IpsetRules.Rules.Select(r => r.Port).Append(IpsetRules.Knock));

        Assert.Equal(IpsetRules.Rules.Select(r => $"{r.Match}: {r.Passes}"), IpsetRules.Rules.Select(r => $"{r.Match}: {passed[r.Port]}"));
        Assert.True(passed[IpsetRules.Knock], "the SET rule added the client to knocked, which the next rule accepts");
        foreach (var (source, text) in new[] { ("as written", IpsetRules.Sets + rules), ("ipset save; iptables-save", router.SavedIptables()) })
        {
            var policy = IptablesSaveParser.Parse(text, source);
            Assert.Empty(policy.Issues);
            Assert.Equal(IpsetRules.Rules.Select(r => $"{source}: {r.Match}: {(passed[r.Port] ? PolicyDecision.Allowed : PolicyDecision.Blocked)}"),
                IpsetRules.Rules.Select(r => $"{source}: {r.Match}: {IpsetRules.Verdict(policy, r.Port).Decision}"));
            // Empty in the file, filled by the rule above the lookup: not decided, where the kernel passed it.
            Assert.Equal((source, PolicyDecision.Undecided), (source, IpsetRules.Verdict(policy, IpsetRules.Knock).Decision));
        }
    }
}

/// <summary>What the file says of its sets, read without a kernel.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class IpsetTests
{
    [Fact]
    public void Sets_given_after_the_tables_are_read_as_those_given_before()
    {
        var before = IptablesSaveParser.Parse(IpsetRules.Sets + IpsetRules.Ruleset(), "before.rules");
        var after = IptablesSaveParser.Parse(IpsetRules.Ruleset() + IpsetRules.Sets, "after.rules");

        Assert.Empty(after.Issues);
        Assert.Equal(IpsetRules.Rules.Select(r => IpsetRules.Verdict(before, r.Port).Decision), IpsetRules.Rules.Select(r => IpsetRules.Verdict(after, r.Port).Decision));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#3"), (IpsetRules.Verdict(after, 80).Decision, IpsetRules.Verdict(after, 80).DecidedBy));
    }

    [Fact]
    public void A_set_created_empty_matches_nothing_and_may_be_filled_at_run_time()
    {
        var policy = IptablesSaveParser.Parse(IpsetRules.Sets + IpsetRules.Ruleset(), "f2b.rules");

        Assert.Equal("ipset banned", Assert.Single(policy.EmptySets).Construct);
        // Filled (fail2ban banned the client), the drop above may take the connection.
        Assert.Equal((PolicyDecision.Undecided, "FORWARD#2"), (IpsetRules.Verdict(policy.IfSetsFilled!, 80).Decision, IpsetRules.Verdict(policy.IfSetsFilled!, 80).DecidedBy));
    }

    // A connection to 80 the file allows, refused at run time: the finding names the empty set and the rule on it.
    [Fact]
    public void A_refused_connection_the_file_allows_names_the_empty_ipset_that_may_have_refused_it()
    {
        var capture = new ScenarioCapture("f2b.pcap", 1_700_000_000).Tcp("10.99.1.2", "10.99.2.2", 80, 1, answer: Answer.Silent);
        var (outcome, _) = FirewallRun.Of(capture, FirewallRun.LanServer, IpsetRules.Sets + IpsetRules.Ruleset(), PolicyFormat.Iptables, "fw");

        var refused = Assert.Single(outcome.Report.Findings, f => f.Kind == FindingKind.PolicyRefusedAllowed);
        Assert.Matches(@"; ipset banned at \S*rules:9 was empty in the file and may be filled at run time: rule FORWARD#2 at \S*rules:\d+ looks it up$",
            refused.Reason);
    }

    [Theory]
    // Without ipset save's lines, the file does not hold the members.
    [InlineData("", "-m set --match-set clients src", "put ipset save's output in the file")]
    [InlineData("create other hash:ip\n", "-m set --match-set clients src", "none creates clients")]
    [InlineData("create clients hash:ip,port family inet\nadd clients 10.99.1.2,tcp:80\n", "-m set --match-set clients src,dst",
        "a set of type hash:ip,port (of ports, interfaces, MAC addresses or other sets, or of more than an address) is not decided")]
    [InlineData("create clients hash:net family inet\nadd clients 10.99.0.0/16\nadd clients 10.99.1.0/24 nomatch\n", "-m set --match-set clients src",
        "its element 10.99.1.0/24 is marked nomatch")]
    public void A_set_whose_members_are_not_decided_leaves_its_rules_undecided_and_says_why(string sets, string match, string why)
    {
        var policy = IptablesSaveParser.Parse(sets + $"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p tcp {match} -j ACCEPT\nCOMMIT\n", "sets.rules");

        var issue = Assert.Single(policy.Issues);
        Assert.Equal(match[7..], issue.Construct);
        Assert.Contains(why, issue.Expected);
        Assert.Equal(PolicyDecision.Undecided, IpsetRules.Verdict(policy, 80).Decision);
    }

    [Theory]
    [InlineData("create clients hash:ip\nadd clients not-an-address\n", 2, "add clients not-an-address")]
    [InlineData("add clients 10.99.1.2\n", 1, "add clients 10.99.1.2")]
    [InlineData("create clients\n", 1, "create clients")]
    public void A_line_of_ipset_save_that_cannot_be_read_is_an_issue_at_its_line(string sets, int line, string construct)
    {
        var policy = IptablesSaveParser.Parse(sets + "*filter\n:FORWARD DROP [0:0]\nCOMMIT\n", "sets.rules");

        var issue = Assert.Single(policy.Issues);
        Assert.Equal((line, construct), (issue.Location.Line, issue.Construct));
    }
}
