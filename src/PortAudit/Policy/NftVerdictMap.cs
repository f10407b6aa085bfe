namespace PortAudit.Policy;

/// <summary>One element of an nftables verdict map: the key as written ("22", "10.0.0.0/8", "100-222", "*") and its verdict.</summary>
/// <param name="Key">The key; "*" is the catch-all element, which every packet the map is looked up for matches.</param>
/// <param name="Action">The verdict.</param>
/// <param name="Target">The chain of a jump or goto, as written.</param>
internal sealed record NftVerdictElement(string Key, PolicyAction Action, string? Target);

/// <summary>
/// A verdict map looked up on one field (<c>tcp dport vmap { 22 : accept, 80 : drop }</c>, <c>ip saddr vmap @blocklist</c>),
/// read as the kernel evaluates it: the element whose key holds the field gives the rule's verdict, and a packet no
/// element holds goes on to the next rule. The rule becomes one rule per element, the element's key a match added to the
/// rule's others: the kernel refuses elements that overlap, so at most one of them matches a packet and their order is free.
/// </summary>
internal static class NftVerdictMap
{
    /// <summary>The verdict written as <paramref name="words"/> ("accept", "jump ssh_input"); null for another.</summary>
    public static (PolicyAction Action, string? Target)? Verdict(IReadOnlyList<string> words) => words switch
    {
        ["accept"] => (PolicyAction.Accept, null),
        ["drop"] => (PolicyAction.Drop, null),
        ["reject"] => (PolicyAction.Reject, null),
        ["return"] => (PolicyAction.Return, null),
        ["continue"] => (PolicyAction.Continue, null),
        ["jump", var chain] => (PolicyAction.Jump, chain),
        ["goto", var chain] => (PolicyAction.Goto, chain),
        _ => null,
    };

    /// <summary>
    /// The elements written as text between a map's braces, "22 : accept, 80 counter packets 0 bytes 0 : jump web";
    /// null when an element's key is not one value (a concatenation) or its verdict is not one of <see cref="Verdict"/>.
    /// </summary>
    public static List<NftVerdictElement>? Elements(IReadOnlyList<string> tokens)
    {
        var elements = new List<NftVerdictElement>();
        int start = 0;
        for (int i = 0; i <= tokens.Count; i++)
        {
            if (i < tokens.Count && tokens[i] != ",") continue;
            if (i > start)
            {
                // "KEY [counter packets N bytes N | timeout T | expires T | comment C] : VERDICT [CHAIN]"
                int colon = -1;
                for (int j = start; j < i; j++) if (tokens[j] == ":") { colon = j; break; }
                if (colon <= start || tokens[start + 1] is "." or "-" || Verdict([.. tokens.Skip(colon + 1).Take(i - colon - 1)]) is not { } verdict) return null;
                elements.Add(new NftVerdictElement(NftTokens.Unquote(tokens[start]), verdict.Action, verdict.Target));
            }
            start = i + 1;
        }
        return elements;
    }

    /// <summary>
    /// The rules <paramref name="rule"/> stands for when its verdict is <paramref name="map"/>'s, looked up on
    /// <paramref name="selector"/>: one per element, in the map's order. A <c>continue</c> element keeps the verdict read
    /// after the map; none match where the map has no elements.
    /// </summary>
    public static List<PolicyRuleBuilder> Expand(PolicyRuleBuilder rule, string selector, IReadOnlyList<NftVerdictElement> map,
        IReadOnlyDictionary<string, IReadOnlyList<string>?> sets)
    {
        var rules = new List<PolicyRuleBuilder>(map.Count);
        foreach (var element in map)
        {
            var copy = rule.Copy();
            copy.MapElement = rules.Count + 1;
            if (element.Key != "*") NftMatches.Apply(copy, selector, "", [element.Key], sets);
            if (element.Action != PolicyAction.Continue)
            {
                copy.Action = element.Action;
                copy.Target = element.Target is null ? null : $"{rule.FamilyTable} {element.Target}";
            }
            rules.Add(copy);
        }
        if (rules.Count == 0)
        {
            rule.MatchNothing();
            rules.Add(rule);
        }
        return rules;
    }

    /// <summary>The rules <paramref name="rule"/> stands for: itself, or one per element of its verdict map.</summary>
    public static List<PolicyRuleBuilder> Rules(PolicyRuleBuilder rule, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets) =>
        rule.VerdictMap is var (selector, elements) ? Expand(rule, selector, elements, sets) : [rule];
}
