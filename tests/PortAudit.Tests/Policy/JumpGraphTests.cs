using System.Diagnostics;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Chains that jump into each other: a loop is cut and reported with its place, a fan of jumps is evaluated once per chain
/// (not once per path), and a jump past the depth limit is cut and reported.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
// Timed alone: beside the suite on two cores, a walk of 0.1 s once took 0.61 s. Before the jump graph these walks never ended.
[Collection(TimedAlone.Name)]
public class JumpGraphTests
{
    private static PolicyQuery Query(byte protocol, int port) => new(protocol, IpAddr.Parse("10.0.0.1"), 50000, IpAddr.Parse("10.0.0.2"), port);

    // iptables-save where each user chain jumps twice to the next: 2^depth paths through C0..Cdepth.
    private static string Fan(int depth)
    {
        var text = new StringBuilder("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i <= depth; i++) text.Append($":C{i} - [0:0]\n");
        text.Append("-A INPUT -j C0\n");
        for (int i = 0; i < depth; i++) text.Append($"-A C{i} -j C{i + 1}\n-A C{i} -j C{i + 1}\n");
        text.Append($"-A C{depth} -p udp --dport 9 -j ACCEPT\n-A INPUT -p tcp --dport 5061 -j ACCEPT\nCOMMIT\n");
        return text.ToString();
    }

    // Runs the evaluation off the test's thread, so that an evaluation that never ends fails the test instead of hanging it.
    private static (PolicyVerdict Verdict, TimeSpan Took) Timed(FirewallPolicy policy, PolicyQuery query)
    {
        var clock = Stopwatch.StartNew();
        var evaluation = Task.Run(() => PolicyEvaluator.Evaluate(policy, query));
        Assert.True(evaluation.Wait(TimeSpan.FromSeconds(10)), "the evaluation did not end in 10 s");
        return (evaluation.Result, clock.Elapsed);
    }

    [Fact]
    public void Chains_that_each_jump_twice_to_the_next_are_evaluated_once_per_chain()
    {
        var policy = PolicyLoader.Parse(Fan(60), "fan.txt", PolicyFormat.Iptables);

        var (allowed, took) = Timed(policy, Query(IpProtocol.Udp, 9));
        var (sip, _) = Timed(policy, Query(IpProtocol.Tcp, 5061));

        Assert.True(took < TimeSpan.FromSeconds(2), $"2^60 paths evaluated in {took.TotalSeconds:0.00} s");
        Assert.Equal(PolicyDecision.Allowed, allowed.Decision);
        Assert.Equal("C60#1", allowed.DecidedBy);
        Assert.Equal(PolicyDecision.Allowed, sip.Decision);
        Assert.Equal("INPUT#2", sip.DecidedBy);
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void A_chain_that_jumps_to_itself_is_reported_as_a_loop_and_makes_the_verdict_undecided()
    {
        var policy = PolicyLoader.Parse("""
            table ip filter {
             chain input {
              type filter hook input priority 0; policy drop;
              jump a
             }
             chain a {
              jump a
              jump a
             }
            }
            """, "loop.nft", PolicyFormat.NftText);

        var (verdict, took) = Timed(policy, Query(IpProtocol.Tcp, 22));

        Assert.True(took < TimeSpan.FromSeconds(2), $"the loop took {took.TotalSeconds:0.00} s");
        Assert.Equal(PolicyDecision.Undecided, verdict.Decision);
        Assert.Equal("ip filter a#1", verdict.Rule!.Id);
        Assert.Collection(policy.Issues,
            first => Assert.Equal("loop.nft:7: jump ip filter a (a jump that does not lead back to its own chain: ip filter a -> ip filter a loops, which nft and iptables-restore refuse)", first.ToString()),
            second => Assert.Equal(8, second.Location.Line));
    }

    [Fact]
    public void A_loop_through_several_chains_is_cut_where_it_closes()
    {
        var policy = PolicyLoader.Parse("""
            *filter
            :INPUT DROP [0:0]
            :A - [0:0]
            :B - [0:0]
            -A INPUT -j A
            -A A -j B
            -A B -p tcp --dport 22 -j ACCEPT
            -A B -j A
            COMMIT
            """, "ab.txt", PolicyFormat.Iptables);

        var ssh = PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, 22));
        var other = PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, 80));

        var loop = Assert.Single(policy.Issues);
        Assert.Equal("ab.txt:8", loop.Location.ToString());
        Assert.Contains("A -> B -> A loops", loop.Expected, StringComparison.Ordinal);
        Assert.Equal(PolicyDecision.Allowed, ssh.Decision);
        Assert.Equal(PolicyDecision.Undecided, other.Decision);
        Assert.Equal("B#2", other.Rule!.Id);
    }

    [Fact]
    public void A_jump_past_the_depth_limit_is_cut_and_reported()
    {
        int chains = JumpGraph.MaxDepth + 2;
        var text = new StringBuilder("*filter\n:INPUT DROP [0:0]\n");
        for (int i = 0; i < chains; i++) text.Append($":C{i} - [0:0]\n");
        text.Append("-A INPUT -j C0\n");
        for (int i = 0; i + 1 < chains; i++) text.Append($"-A C{i} -j C{i + 1}\n");
        text.Append($"-A C{chains - 1} -j ACCEPT\nCOMMIT\n");

        var policy = PolicyLoader.Parse(text.ToString(), "deep.txt", PolicyFormat.Iptables);
        var verdict = PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, 80));

        var deep = Assert.Single(policy.Issues);
        // Cut where it enters the chains that already go the limit deep: C1 leads to C65.
        Assert.Equal("deep.txt:70: jump C1", $"{deep.Location}: {deep.Construct}");
        Assert.Contains($"at most {JumpGraph.MaxDepth} levels of jumps", deep.Expected, StringComparison.Ordinal);
        Assert.Equal(PolicyDecision.Undecided, verdict.Decision);
    }
}
