using System.Runtime.CompilerServices;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// The rules of a chain that can match a connection, in chain order: every rule whose <see cref="PolicyRule.Match"/> is not
/// <see cref="MatchResult.No"/> for it, and some that are. A walk over them reaches the outcome a walk over every rule
/// reaches, since a rule that does not match changes nothing; a 20,000-rule chain is then a few dozen tests a connection,
/// not 20,000 (base.pcap's 7,581 flows judged against the generated 20,000-rule ruleset: 21.4 s, now 1.6 s).
/// </summary>
/// <remarks>
/// The rules wait in <see cref="RulePlaces"/>; a connection looks under its ports and under each prefix length of the
/// chain's rules, masked from its addresses. Built once per chain, on the first connection judged against it, when the
/// chain has at least <see cref="IndexedFrom"/> rules.
/// </remarks>
internal sealed class RuleCandidates
{
    private const int IndexedFrom = 64;
    private static readonly ConditionalWeakTable<PolicyChain, RuleCandidates> Built = [];

    private readonly IReadOnlyList<PolicyRule> _rules;
    private readonly RulePlaces _places = new();

    private RuleCandidates(IReadOnlyList<PolicyRule> rules)
    {
        _rules = rules;
        for (int i = 0; i < rules.Count; i++) _places.Add(rules[i], i);
    }

    /// <summary>The rules of <paramref name="chain"/> that can match <paramref name="query"/>, in order.</summary>
    public static IReadOnlyList<PolicyRule> Of(PolicyChain chain, in PolicyQuery query) =>
        chain.Rules.Count < IndexedFrom ? chain.Rules : Built.GetValue(chain, static c => new RuleCandidates(c.Rules)).For(query);

    private List<PolicyRule> For(in PolicyQuery query)
    {
        var indices = new List<int>(_places.Everywhere);
        if (_places.SourcePorts.Under(query.SourcePort) is { } bySourcePort) indices.AddRange(bySourcePort);
        if (_places.DestinationPorts.Under(query.DestinationPort) is { } byDestinationPort) indices.AddRange(byDestinationPort);
        foreach (var list in _places.Source.Containing(IpPrefix.Single(query.Source))) indices.AddRange(list);
        foreach (var list in _places.Destination.Containing(IpPrefix.Single(query.Destination))) indices.AddRange(list);
        indices.Sort();
        var rules = new List<PolicyRule>(indices.Count);
        for (int k = 0; k < indices.Count; k++)
            if (k == 0 || indices[k] != indices[k - 1]) rules.Add(_rules[indices[k]]);
        return rules;
    }
}
