using System.Runtime.CompilerServices;

namespace PortAudit.Policy;

/// <summary>
/// The jumps and gotos between a policy's chains, made into a graph the evaluator can walk in bounded work: a jump that
/// leads back to a chain it comes from (a loop) and a jump past <see cref="MaxDepth"/> levels are cut, each reported as
/// not understood with its place. What remains has no cycle and is at most <see cref="MaxDepth"/> deep, so a chain's
/// outcome for a connection depends on the connection alone and is computed once (<see cref="PolicyEvaluator"/>).
/// </summary>
/// <remarks>
/// <c>nft -f</c> and <c>iptables-restore</c> refuse a ruleset whose jumps loop; a file need not have been loaded. Chains
/// that each jump twice to the next are legal and reach 2^N paths; walking them path by path never ends.
/// </remarks>
internal sealed class JumpGraph
{
    /// <summary>
    /// The most levels of jumps followed from a chain: far past real rulesets (the kernel's nftables stack holds 16) and a
    /// bound on the evaluator's recursion.
    /// </summary>
    public const int MaxDepth = 64;

    private static readonly ConditionalWeakTable<FirewallPolicy, JumpGraph> Graphs = new();

    private readonly Dictionary<string, PolicyChain> _chains = new(StringComparer.Ordinal);
    private readonly HashSet<PolicyRule> _cut = new(ReferenceEqualityComparer.Instance);
    private readonly List<PolicyIssue> _issues = [];

    /// <summary>The graph of <paramref name="policy"/>, built once per policy object.</summary>
    public static JumpGraph Of(FirewallPolicy policy) => Graphs.GetValue(policy, p => new JumpGraph(p));

    private JumpGraph(FirewallPolicy policy)
    {
        foreach (var chain in policy.Chains) _chains.TryAdd(chain.Name, chain);
        var heights = new Dictionary<PolicyChain, int>(ReferenceEqualityComparer.Instance);
        // The chains packets enter first, so that a loop is cut where it closes as seen from them.
        var entries = policy.Paths.SelectMany(p => p.Chains).Select(Chain).OfType<PolicyChain>().Concat(policy.Chains);
        foreach (var entry in entries)
            if (!heights.ContainsKey(entry)) Walk(entry, heights);
        // Once per policy, not per connection: each was a pass over every rule of the policy for every flow judged.
        NatEntries = [.. policy.Chains.Where(HookPaths.TranslatesBeforeFilter).OrderBy(c => c.Priority)];
        TrackEntries = [.. policy.Chains.Where(HookPaths.BeforeConntrack).OrderBy(c => c.Priority)];
        _afterSourceNat = [.. policy.Chains.Where(c => HookPaths.AfterSourceNat(c, policy.Chains))];
        Filtering = [.. policy.Paths.Where(p => !p.Chains.All(c => Chain(c)?.AcceptsAll ?? true))];
        OffPath = [.. policy.OffPath.Select(Chain).OfType<PolicyChain>()];
        _hostPaths = [.. policy.Paths.Where(p => p.Name != HookPaths.Forward)];
        _networkPaths = [.. policy.Paths.Where(p => p.Name != HookPaths.Input)];
    }

    private readonly IReadOnlyList<PolicyPath> _hostPaths, _networkPaths;

    private readonly HashSet<PolicyChain> _afterSourceNat;

    /// <summary>True for a filter base chain a source nat chain of its hook runs before (<see cref="HookPaths.AfterSourceNat"/>).</summary>
    public bool AfterSourceNat(PolicyChain chain) => _afterSourceNat.Count > 0 && _afterSourceNat.Contains(chain);

    /// <summary>The nat base chains on the way in before the filter, in priority order: where the <see cref="EntryWalk"/> for a destination NAT starts.</summary>
    public IReadOnlyList<PolicyChain> NatEntries { get; }

    /// <summary>The base chains on the way in before connection tracking, in priority order: where the <see cref="EntryWalk"/> for a notrack starts.</summary>
    public IReadOnlyList<PolicyChain> TrackEntries { get; }

    /// <summary>The base chains no path walks that can still drop a connection (<see cref="FirewallPolicy.OffPath"/>).</summary>
    public IReadOnlyList<PolicyChain> OffPath { get; }

    /// <summary>The paths whose chains filter something (an empty iptables FORWARD with policy ACCEPT does not).</summary>
    public IReadOnlyList<PolicyPath> Filtering { get; }

    /// <summary>
    /// The paths that judge a connection at <paramref name="point"/>: a host's all but the forward hook's, a network
    /// firewall's all but the input hook's, each whether it filters or not; <see cref="Filtering"/> where the point is unknown.
    /// </summary>
    public IReadOnlyList<PolicyPath> Applying(PolicyPoint point) => point switch
    {
        PolicyPoint.Host => _hostPaths, PolicyPoint.Network => _networkPaths, _ => Filtering,
    };

    /// <summary>Jumps and gotos cut, as not understood: loops and jumps past <see cref="MaxDepth"/>, in the order found.</summary>
    public IReadOnlyList<PolicyIssue> Issues => _issues;

    /// <summary>The chain named <paramref name="name"/> (the first of that name), or null.</summary>
    public PolicyChain? Chain(string name) => _chains.GetValueOrDefault(name);

    /// <summary>
    /// The chain <paramref name="rule"/> jumps or goes to, or null when it is not a jump, its target is not in the file, or
    /// the jump was cut: nothing is known past such a rule.
    /// </summary>
    public PolicyChain? Target(PolicyRule rule) =>
        rule.Action is PolicyAction.Jump or PolicyAction.Goto && rule.Target is { } name && !_cut.Contains(rule) ? Chain(name) : null;

    /// <summary><paramref name="policy"/> with the jumps cut added to what it did not understand, in file order.</summary>
    public static FirewallPolicy Checked(FirewallPolicy policy)
    {
        var graph = Of(policy);
        if (graph.Issues.Count == 0) return policy;
        var reported = policy with { Issues = policy.Issues.Concat(graph.Issues).OrderBy(issue => issue.Location.Line).ToList() };
        // The copy has the same chains: its graph is this one, not built a second time on first evaluation.
        Graphs.AddOrUpdate(reported, graph);
        return reported;
    }

    private sealed class Frame(PolicyChain chain)
    {
        public PolicyChain Chain { get; } = chain;
        public int Next { get; set; }
        public int Height { get; set; }
    }

    // Depth first without recursion (a file may chain thousands of chains); a chain's height is the most jumps below it.
    private void Walk(PolicyChain entry, Dictionary<PolicyChain, int> heights)
    {
        var stack = new List<Frame> { new(entry) };
        var onStack = new HashSet<PolicyChain>(ReferenceEqualityComparer.Instance) { entry };
        while (stack.Count > 0)
        {
            var frame = stack[^1];
            if (frame.Next == frame.Chain.Rules.Count)
            {
                stack.RemoveAt(stack.Count - 1);
                onStack.Remove(frame.Chain);
                heights[frame.Chain] = frame.Height;
                continue;
            }
            var rule = frame.Chain.Rules[frame.Next];
            var target = rule.Action is PolicyAction.Jump or PolicyAction.Goto && rule.Target is { } name ? Chain(name) : null;
            if (target is not null && !heights.ContainsKey(target) && !onStack.Contains(target))
            {
                // Visit the target first; this rule is looked at again once its height is known.
                stack.Add(new Frame(target));
                onStack.Add(target);
                continue;
            }
            frame.Next++;
            if (target is null) continue;
            if (onStack.Contains(target)) Cut(rule, Loop(stack, target));
            else if (heights[target] >= MaxDepth) Cut(rule, $"at most {MaxDepth} levels of jumps: {target.Name} already leads {MaxDepth} levels deep");
            else frame.Height = Math.Max(frame.Height, heights[target] + 1);
        }
    }

    private static string Loop(List<Frame> stack, PolicyChain target)
    {
        var chains = stack.SkipWhile(f => f.Chain != target).Select(f => f.Chain.Name).Append(target.Name).ToList();
        string path = chains.Count <= 6 ? string.Join(" -> ", chains) : $"{string.Join(" -> ", chains.Take(3))} -> ... ({chains.Count - 4} more) -> {chains[^1]}";
        return $"a jump that does not lead back to its own chain: {path} loops, which nft and iptables-restore refuse";
    }

    private void Cut(PolicyRule rule, string expected)
    {
        _cut.Add(rule);
        _issues.Add(new PolicyIssue(rule.Location, $"{(rule.Action == PolicyAction.Goto ? "goto" : "jump")} {rule.Target}", expected));
    }
}
