using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// ASA object-groups that include each other: each group expanded once and as a set, so that groups nesting the next
/// several times ("billion laughs") read in bounded time and memory; a group past the expansion budget, including itself
/// or nested too deep is reported at its own line.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class AsaGroupExpansionTests
{
    private static PolicyQuery Sip => new(IpProtocol.Tcp, IpAddr.Parse("192.0.2.1"), 50000, IpAddr.Parse("10.77.0.10"), 5061);

    // Groups G0..G(levels-1) each include the next `fanout` times; the last holds host 10.77.0.10 or port 5061 (/tmp/probeA/gen_asa_bomb.py).
    private static string Bomb(int levels, int fanout, bool network)
    {
        var text = new StringBuilder("ASA Version 9.9\nhostname bomb\n");
        for (int i = 0; i < levels; i++)
        {
            text.Append(network ? $"object-group network G{i}\n" : $"object-group service G{i} tcp\n");
            for (int k = 0; k < fanout; k++) text.Append($" group-object G{i + 1}\n");
        }
        text.Append(network
            ? $"object-group network G{levels}\n network-object host 10.77.0.10\naccess-list outside_in extended permit tcp any object-group G0 eq 5061\n"
            : $"object-group service G{levels} tcp\n port-object eq 5061\naccess-list outside_in extended permit tcp any host 10.77.0.10 object-group G0\n");
        return text.Append("access-group outside_in in interface outside\n").ToString();
    }

    private static FirewallPolicy Parsed(string text)
    {
        var parse = Task.Run(() => AsaParser.Parse(text, "asa.cfg"));
        Assert.True(parse.Wait(TimeSpan.FromSeconds(10)), "the groups were still expanding after 10 s");
        return parse.Result;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Groups_that_each_include_the_next_four_times_read_as_the_one_member_they_hold(bool network)
    {
        // 4^14 members written out; as sets, one host (or one port) at every level.
        var policy = Parsed(Bomb(14, 4, network));

        var rule = Assert.Single(policy.Chain("outside_in")!.Rules);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Sip).Decision);
        Assert.Equal(network ? "10.77.0.10" : "5061", network ? rule.Destination!.ToString() : rule.DestinationPorts!.ToString());
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void A_group_whose_expansion_passes_the_budget_is_reported_at_its_line()
    {
        // 2,048 hosts included 2,100 times: 4.3 Mi members, past the budget of 4 Mi at the 2,049th inclusion.
        var text = new StringBuilder("object-group network hosts\n");
        for (int i = 0; i < 2048; i++) text.Append($" network-object host 10.{i / 256}.{i % 256}.1\n");
        int line = 2048 + 2;
        text.Append("object-group network again\n");
        for (int i = 0; i < 2100; i++) text.Append(" group-object hosts\n");
        text.Append("access-list outside_in extended permit tcp any object-group again eq 5061\n");

        var policy = Parsed(text.ToString());

        var refused = Assert.Single(policy.Issues, issue => issue.Location.Line == line);
        Assert.Equal("object-group network again", refused.Construct);
        Assert.Contains("4,194,304 members", refused.Expected, StringComparison.Ordinal);
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Sip).Decision);
    }

    [Theory]
    [InlineData(63, false)]
    [InlineData(65, true)]
    public void An_entry_whose_services_times_sources_times_destinations_pass_the_budget_is_reported_at_its_line(int services, bool refused)
    {
        // 256 sources x 256 destinations x 65 services: 4.3 Mi elements from 580 lines (/tmp/probeP/gen_asa_shape.py); 63 stay within 4 Mi.
        var text = new StringBuilder("object-group network sources\n network-object host 192.0.2.1\n");
        for (int i = 1; i < 256; i++) text.Append($" network-object host 198.51.100.{i}\n");
        text.Append("object-group network destinations\n network-object host 10.77.0.10\n");
        for (int i = 1; i < 256; i++) text.Append($" network-object host 10.78.0.{i}\n");
        text.Append("object-group service services\n service-object tcp destination eq 5061\n");
        for (int i = 1; i < services; i++) text.Append($" service-object tcp destination eq {6000 + i}\n");
        int line = 3 + 256 + 256 + services + 1;
        text.Append("access-list outside_in extended permit object-group services object-group sources object-group destinations\n");

        var policy = Parsed(text.ToString());

        var rules = policy.Chain("outside_in")!.Rules;
        if (!refused)
        {
            Assert.Equal(services, rules.Count);
            Assert.Empty(policy.Issues);
            Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Sip).Decision);
            return;
        }
        var rule = Assert.Single(rules);
        var issue = Assert.Single(policy.Issues);
        Assert.Equal(line, issue.Location.Line);
        Assert.Equal("extended permit object-group services object-group sources object-group destinations", issue.Construct);
        Assert.Contains("at most 4,194,304 elements in all", issue.Expected, StringComparison.Ordinal);
        Assert.Contains("this entry: 65 x 256 x 256", issue.Expected, StringComparison.Ordinal);
        Assert.Equal(MatchResult.Maybe, rule.Match(Sip));
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Sip).Decision);
    }

    [Fact]
    public void Entries_count_against_the_budget_together_with_the_groups()
    {
        // Each entry 16 x 256 x 256 = 1 Mi elements: the fourth takes the configuration past 4 Mi with the groups' 528 members.
        var text = new StringBuilder("object-group network sources\n network-object host 192.0.2.1\n");
        for (int i = 1; i < 256; i++) text.Append($" network-object host 198.51.100.{i}\n");
        text.Append("object-group network destinations\n network-object host 10.77.0.10\n");
        for (int i = 1; i < 256; i++) text.Append($" network-object host 10.78.0.{i}\n");
        text.Append("object-group service services\n service-object tcp destination eq 5061\n");
        for (int i = 1; i < 16; i++) text.Append($" service-object tcp destination eq {6000 + i}\n");
        for (int i = 0; i < 4; i++)
            text.Append($"access-list acl{i} extended permit object-group services object-group sources object-group destinations\n");

        var policy = Parsed(text.ToString());

        Assert.Equal([16, 16, 16, 1], Enumerable.Range(0, 4).Select(i => policy.Chain($"acl{i}")!.Rules.Count));
        Assert.Equal(3 + 256 + 256 + 16 + 4, Assert.Single(policy.Issues).Location.Line);
    }

    [Fact]
    public void A_group_that_includes_itself_is_reported_at_its_line()
    {
        var policy = Parsed("""
            object-group network a
             group-object b
            object-group network b
             network-object host 10.77.0.10
             group-object a
            access-list outside_in extended permit tcp any object-group a eq 5061
            """);

        var loop = Assert.Single(policy.Issues, issue => issue.Construct == "object-group network a");
        Assert.Equal(1, loop.Location.Line);
        Assert.Contains("a -> b -> a", loop.Expected, StringComparison.Ordinal);
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Sip).Decision);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Nesting_is_a_property_of_the_group_not_of_where_it_is_first_used(bool shallowFirst)
    {
        // G0 nests 20 levels: refused whether or not G10 (10 levels, within the limit) was expanded first.
        var text = new StringBuilder();
        for (int i = 0; i < 20; i++) text.Append($"object-group network G{i}\n group-object G{i + 1}\n");
        text.Append("object-group network G20\n network-object host 10.77.0.10\n");
        string shallow = "access-list shallow extended permit tcp any object-group G10 eq 5061\n";
        string deep = "access-list deep extended permit tcp any object-group G0 eq 5061\n";
        text.Append(shallowFirst ? shallow + deep : deep + shallow);

        var policy = Parsed(text.ToString());

        Assert.Equal(MatchResult.Yes, PolicyMatchOf(policy, "shallow"));
        Assert.Equal(MatchResult.Maybe, PolicyMatchOf(policy, "deep"));
        Assert.Single(policy.Issues, issue => issue.Expected.Contains($"at most {AsaObjects.MaxNesting} levels", StringComparison.Ordinal));
    }

    private static MatchResult PolicyMatchOf(FirewallPolicy policy, string acl) => policy.Chain(acl)!.Rules.Single().Match(Sip);
}
