namespace PortAudit.Policy;

/// <summary>One element of an nftables verdict map: the key as written ("22", "10.0.0.0/8", "100-222", "*") and its verdict.</summary>
/// <param name="Key">The key; "*" is the catch-all element, which every packet the map is looked up for matches. On a
/// concatenation the key holds one value per field, joined by " . " as nft writes them ("10.0.0.1 . 22").</param>
/// <param name="Action">The verdict.</param>
/// <param name="Target">The chain of a jump or goto, as written.</param>
internal sealed record NftVerdictElement(string Key, PolicyAction Action, string? Target);

/// <summary>
/// A verdict map looked up on one field (<c>tcp dport vmap { 22 : accept, 80 : drop }</c>, <c>ip saddr vmap @blocklist</c>)
/// or on a concatenation of fields (<c>ip saddr . tcp dport vmap { 10.0.0.1 . 22 : accept }</c>), read as the kernel
/// evaluates it: the element whose key holds the fields gives the rule's verdict, and a packet no element holds goes on to
/// the next rule. The rule becomes one rule per element, the element's key a match on each field added to the rule's
/// others: the kernel refuses elements that overlap, so at most one of them matches a packet and their order is free. A
/// set looked up on a concatenation (<c>ip saddr . tcp dport { 10.0.0.1 . 22 } accept</c>) is the same map with every
/// element's verdict <c>continue</c>: a packet one element holds goes on to the rest of the rule.
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
    /// The elements written as text between a map's braces, "22 : accept, 80 counter packets 0 bytes 0 : jump web",
    /// "10.0.0.1 . 22 : accept"; null when an element's key is not values joined by "." or its verdict is not one of
    /// <see cref="Verdict"/>.
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
                // "KEY [. KEY]... [counter packets N bytes N | timeout T | expires T | comment C] : VERDICT [CHAIN]"
                int colon = -1;
                for (int j = start; j < i; j++) if (tokens[j] == ":") { colon = j; break; }
                if (colon <= start || Key(tokens, start, colon) is not { } key || Verdict([.. tokens.Skip(colon + 1).Take(i - colon - 1)]) is not { } verdict) return null;
                elements.Add(new NftVerdictElement(key, verdict.Action, verdict.Target));
            }
            start = i + 1;
        }
        return elements;
    }

    /// <summary>
    /// The key of the set or map element written as <paramref name="tokens"/> from <paramref name="start"/> (before
    /// <paramref name="end"/>): one value, or the values of a concatenation joined by " . " ("10.0.0.1 . 22"), each
    /// unquoted; what follows it (a counter, a timeout) is not part of it. Null when no value starts there or a "-"
    /// follows one (a range written apart, which nft does not list).
    /// </summary>
    public static string? Key(IReadOnlyList<string> tokens, int start, int end)
    {
        if (start >= end || tokens[start] is "." or "-" or ":") return null;
        string key = NftTokens.Unquote(tokens[start]);
        int i = start + 1;
        for (; i + 1 < end && tokens[i] == "."; i += 2)
        {
            if (tokens[i + 1] is "." or "-" or ":") return null;
            key += ConcatSeparator + NftTokens.Unquote(tokens[i + 1]);
        }
        return i < end && tokens[i] is "." or "-" ? null : key;
    }

    /// <summary>What joins the values of a concatenated key, as nft writes it.</summary>
    public const string ConcatSeparator = " . ";

    /// <summary>
    /// Makes <paramref name="rule"/>'s match on the concatenation <paramref name="selectors"/> being one of
    /// <paramref name="values"/> (keys as <see cref="Key"/> gives them, or "@set") its verdict map, each element
    /// <c>continue</c>. False, with the match reported not understood, where a set's members are not in the file, a key
    /// has another number of fields, or the rule already looks a map up (one rule per element holds one map).
    /// </summary>
    public static bool Membership(PolicyRuleBuilder rule, IReadOnlyList<string> selectors, IReadOnlyList<string> values,
        IReadOnlyDictionary<string, IReadOnlyList<string>?> sets, string text)
    {
        var elements = new List<NftVerdictElement>(values.Count);
        foreach (string value in values)
        {
            IReadOnlyList<string>? members = value.StartsWith('@') ? sets.GetValueOrDefault(value[1..]) : [value];
            if (members is null)
            {
                rule.Unknown(text, $"set {value} with its elements in the file");
                return false;
            }
            foreach (string member in members) elements.Add(new NftVerdictElement(member, PolicyAction.Continue, null));
        }
        if (rule.VerdictMap is not null || elements.Any(e => Fields(e.Key).Length != selectors.Count))
        {
            rule.Unknown(text, "one set or map on a concatenation per rule, its keys of one value per field");
            return false;
        }
        rule.VerdictMap = (selectors, elements);
        return true;
    }

    private static string[] Fields(string key) => key.Split(ConcatSeparator);

    /// <summary>
    /// The rules <paramref name="rule"/> stands for when its verdict is <paramref name="map"/>'s, looked up on
    /// <paramref name="selectors"/> (one field, or the fields of a concatenation): one per element, in the map's order. A
    /// <c>continue</c> element keeps the statements and verdict read after the map; another element holds only what was
    /// read before it (<see cref="PolicyRuleBuilder.BeforeMap"/>); none match where the map has no elements.
    /// </summary>
    public static List<PolicyRuleBuilder> Expand(PolicyRuleBuilder rule, IReadOnlyList<string> selectors, IReadOnlyList<NftVerdictElement> map,
        IReadOnlyDictionary<string, IReadOnlyList<string>?> sets)
    {
        var rules = new List<PolicyRuleBuilder>(map.Count);
        foreach (var element in map)
        {
            // An element with a verdict of its own ends the rule at the map; a continue element goes on to the rest of it.
            var copy = element.Action != PolicyAction.Continue && rule.BeforeMap is { } before ? before.Copy() : rule.Copy();
            copy.Comment = rule.Comment;
            copy.MapElement = rules.Count + 1;
            if (element.Key != "*")
            {
                // A key of another number of fields than the concatenation (nft refuses it) matches nothing.
                string[] keys = selectors.Count == 1 ? [element.Key] : Fields(element.Key);
                if (keys.Length != selectors.Count) copy.MatchNothing();
                else for (int field = 0; field < keys.Length; field++) NftMatches.Apply(copy, selectors[field], "", [keys[field]], sets);
            }
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
        rule.VerdictMap is var (selectors, elements) ? Expand(rule, selectors, elements, sets) : [rule];
}
