namespace PortAudit.Policy;

/// <summary>Reads one nftables rule written as text: matches, statements without a verdict, the verdict and the comment.</summary>
internal static class NftTextRule
{
    private static readonly HashSet<string> TwoWordHeads = ["ip", "ip6", "tcp", "udp", "sctp", "th", "meta", "ct", "icmp", "icmpv6", "fib", "ether"];
    private static readonly HashSet<string> OneWordSelectors = ["iif", "iifname", "oif", "oifname", "l4proto"];
    private static readonly HashSet<string> Operators = ["==", "!=", "eq", "ne", "<", ">", "<=", ">=", "lt", "gt", "le", "ge"];
    private static readonly HashSet<string> LogOptions = ["prefix", "level", "flags", "group", "snaplen", "queue-threshold"];

    /// <summary>Fills <paramref name="rule"/> from <paramref name="t"/>.</summary>
    /// <param name="rule">The rule being read.</param>
    /// <param name="t">The rule's tokens.</param>
    /// <param name="sets">Named sets of the table, with their members (null: not in the file).</param>
    /// <param name="maps">Named verdict maps of the table, with their elements (null: not in the file).</param>
    public static void Read(PolicyRuleBuilder rule, List<string> t, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets,
        IReadOnlyDictionary<string, IReadOnlyList<NftVerdictElement>?> maps)
    {
        int i = 0;
        while (i < t.Count)
        {
            string token = t[i];
            switch (token)
            {
                case "accept": rule.Action = PolicyAction.Accept; i++; continue;
                case "drop": rule.Action = PolicyAction.Drop; i++; continue;
                case "return": rule.Action = PolicyAction.Return; i++; continue;
                case "continue": i++; continue;
                case "notrack": rule.Untracked(); i++; continue;
                case "reject":
                    rule.Action = PolicyAction.Reject;
                    i++;
                    if (i < t.Count && t[i] == "with") i = Math.Min(t.Count, i + (i + 2 < t.Count && t[i + 1] is "icmp" or "icmpv6" or "icmpx" && t[i + 2] == "type" ? 4 : 3));
                    continue;
                case "jump" or "goto" when i + 1 < t.Count:
                    rule.Action = token == "jump" ? PolicyAction.Jump : PolicyAction.Goto;
                    rule.Target = $"{rule.FamilyTable} {t[i + 1]}";
                    i += 2;
                    continue;
                case "counter":
                    i++;
                    if (i + 1 < t.Count && t[i] == "name") i += 2;
                    while (i + 1 < t.Count && t[i] is "packets" or "bytes") i += 2;
                    continue;
                case "log":
                    i++;
                    while (i + 1 < t.Count && LogOptions.Contains(t[i])) i += 2;
                    continue;
                case "comment" when i + 1 < t.Count:
                    rule.Comment = NftTokens.Unquote(t[i + 1]);
                    i += 2;
                    continue;
                case "dnat" or "snat" or "masquerade" or "redirect":
                    i = Translation(rule, t, i);
                    continue;
                case "flow" when i + 2 < t.Count && t[i + 1] is "add" or "offload" && t[i + 2].StartsWith('@'):
                    rule.OffloadsToFlowtable();
                    i += 3;
                    continue;
                case "limit":
                    int end = i + 1;
                    while (end < t.Count && !IsStatementStart(t[end])) end++;
                    rule.Undecidable(string.Join(' ', t[i..end]));
                    i = end;
                    continue;
            }
            if (TryMatch(rule, t, ref i, sets, maps)) continue;
            // Not understood: reported from here to the next verdict, which still counts (the rule stays undecidable).
            int stop = i;
            while (stop < t.Count && t[stop] is not ("accept" or "drop" or "reject" or "jump" or "goto" or "return")) stop++;
            // A verdict word not understood itself (a jump with no chain after it) is taken with the rest: found by
            // tools/fuzz, the loop stood on it forever, reporting it again at every turn.
            if (stop == i) stop++;
            rule.Unknown(string.Join(' ', t[i..stop]), "a match, counter, log, limit, comment or verdict");
            if (stop == t.Count) rule.Action ??= PolicyAction.Unknown;
            i = stop;
        }
    }

    // "dnat [ip|ip6] to ADDR[:PORT] [flags]", "redirect [to [:]PORT]", "masquerade [to :PORT]", "snat ... to ...": a
    // target that is a map or an expression (not an address or port) is kept as written and not evaluated.
    private static int Translation(PolicyRuleBuilder rule, List<string> t, int i)
    {
        // A translation is the rule's last statement but for a comment; its target may be a map over header fields.
        int end = i + 1;
        while (end < t.Count && t[end] != "comment") end++;
        int to = t.IndexOf("to", i, end - i);
        rule.Translate(t[i], NftTokens.Join(t[i..end]), to >= 0 && to + 1 < end ? t[to + 1] : null);
        return end;
    }

    // The end of the value starting at i: one token, or a braced set to its closing brace.
    private static int SkipValue(List<string> t, int i)
    {
        if (i >= t.Count) return i;
        if (t[i] != "{") return i + 1;
        int depth = 0;
        for (; i < t.Count; i++)
        {
            if (t[i] == "{") depth++;
            else if (t[i] == "}" && --depth == 0) return i + 1;
        }
        return i;
    }

    private static bool IsStatementStart(string token) =>
        token is "accept" or "drop" or "reject" or "jump" or "goto" or "return" or "counter" or "log" or "comment" or "continue" or "flow"
        || TwoWordHeads.Contains(token) || OneWordSelectors.Contains(token);

    // "SELECTOR vmap { KEY : VERDICT, ... }" or "SELECTOR vmap @map" from t[i] on (SELECTOR one field or a concatenation),
    // as the rule's verdict: the end of the map, or null where its elements are not all understood. Statements may follow
    // it: a continue element goes on to them, the others end the rule as read so far (PolicyRuleBuilder.BeforeMap).
    private static int? VerdictMap(PolicyRuleBuilder rule, IReadOnlyList<string> selectors, List<string> t, int i,
        IReadOnlyDictionary<string, IReadOnlyList<NftVerdictElement>?> maps)
    {
        // One rule per element holds one map: a second in the rule (after a set on a concatenation) is not evaluated.
        if (i >= t.Count || rule.VerdictMap is not null) return null;
        int end = SkipValue(t, i);
        var elements = t[i] == "{" ? NftVerdictMap.Elements(t[(i + 1)..(end - 1)])
            : t[i].StartsWith('@') && maps.TryGetValue(t[i][1..], out var named) ? named : null;
        if (elements is null) return null;
        rule.BeforeMap = rule.Copy();
        rule.VerdictMap = (selectors, elements);
        return end;
    }

    // The field named from t[i] on ("tcp dport", "iifname", "fib daddr type", "tcp option maxseg size") and the index after
    // it; null where none starts there.
    private static string? Selector(List<string> t, int i, out int next)
    {
        next = i;
        if (TwoWordHeads.Contains(t[i]) && i + 1 < t.Count)
        {
            string selector = t[i] + " " + t[i + 1];
            next = i + 2;
            // "fib daddr type local", "ct state" read the same way; "meta l4proto" and "ct state" have two words.
            // Options and chunks name a field inside: "tcp option maxseg size", "sctp chunk data flags".
            if (selector is "tcp option" or "ip option" or "sctp chunk" && next + 1 < t.Count && t[next + 1] is not ("set" or "==" or "!="))
            {
                selector = string.Join(' ', t[i..(next + 2)]);
                next += 2;
            }
            // A fib lookup is named by its keys and result, as nft -j gives them: "fib daddr type", "fib saddr . iif oif".
            if (t[i] == "fib")
            {
                while (next < t.Count && t[next] is "saddr" or "daddr" or "iif" or "oif" or "." or "type" or "oifname") next++;
                selector = string.Join(' ', t[i..next]);
            }
            return selector;
        }
        if (OneWordSelectors.Contains(t[i]))
        {
            next = i + 1;
            return t[i];
        }
        // "l4proto tcp" style heads and implicit "meta" keys ("mark", "skuid") are not handled.
        return null;
    }

    // "SELECTOR . SELECTOR... { KEY . KEY, ... }", "... @set" or "... vmap { KEY . KEY : VERDICT, ... }" from t[i] on, its
    // fields read up to next: the end of it. A set of keys is a verdict map of continue elements (NftVerdictMap.Membership);
    // a negated lookup, or keys or a map not understood, is reported, and a map not understood leaves the verdict undecided.
    private static int Concatenation(PolicyRuleBuilder rule, List<string> selectors, List<string> t, int i, int next,
        IReadOnlyDictionary<string, IReadOnlyList<string>?> sets, IReadOnlyDictionary<string, IReadOnlyList<NftVerdictElement>?> maps)
    {
        string op = next < t.Count && Operators.Contains(t[next]) ? t[next++] : "";
        bool map = next < t.Count && t[next] == "vmap";
        if (map && op.Length == 0 && VerdictMap(rule, selectors, t, next + 1, maps) is int mapEnd) return mapEnd;
        int end = SkipValue(t, map ? next + 1 : next);
        string text = string.Join(' ', t[i..end]);
        if (!map && op is "" or "==" or "eq" && next < t.Count && Keys(t, next, end) is { } keys)
        {
            NftVerdictMap.Membership(rule, selectors, keys, sets, text);
            return end;
        }
        rule.Unknown(text, map ? "a verdict map is not evaluated" : "a lookup of a concatenation in a set");
        if (map) rule.Action = PolicyAction.Unknown;
        return end;
    }

    // The keys of the set written from t[start] to t[end] ("{ 10.0.0.1 . 22, 10.0.0.2 . 23 }") or a named set ("@pairs");
    // null where one is not a key NftVerdictMap.Key reads.
    private static List<string>? Keys(List<string> t, int start, int end)
    {
        if (t[start].StartsWith('@')) return end == start + 1 ? [t[start]] : null;
        if (t[start] != "{") return null;
        var keys = new List<string>();
        int from = start + 1;
        for (int j = from; j < end; j++)
        {
            if (t[j] is not ("," or "}")) continue;
            if (j > from)
            {
                if (NftVerdictMap.Key(t, from, j) is not { } key) return null;
                keys.Add(key);
            }
            from = j + 1;
        }
        return keys;
    }

    // The end of the list of values from t[i] on: one word, or words with separators between them ("established, related",
    // "new | established", "syn,ack", which the tokens split at its comma).
    private static int ListEnd(List<string> t, int i)
    {
        i++;
        while (i + 1 < t.Count && t[i] is "," or "|") i += 2;
        return i;
    }

    // "ct status & (snat | dnat) != 0", "ct status & dnat == dnat" from the & at t[next]: the mask, the operator and the
    // value, each flags joined by | or commas, perhaps in parentheses (NftMatches.StatusMask). The end of the value;
    // null when no operator follows the mask.
    private static int? StatusMask(PolicyRuleBuilder rule, List<string> t, int next)
    {
        int op = next + 1;
        while (op < t.Count && !Operators.Contains(t[op]) && !IsStatementStart(t[op])) op++;
        if (op >= t.Count || !Operators.Contains(t[op])) return null;
        int end = op + 1;
        if (end < t.Count && t[end] == "(") end = t.IndexOf(")", end) is var close and >= 0 ? close + 1 : t.Count;
        else end = Math.Min(ListEnd(t, end), t.Count);
        static List<string> Flags(List<string> words) => words.Where(w => w is not ("(" or ")" or "|" or ",")).ToList();
        NftMatches.StatusMask(rule, t[op], Flags(t[(next + 1)..op]), Flags(t[(op + 1)..end]));
        return end;
    }

    private static bool TryMatch(PolicyRuleBuilder rule, List<string> t, ref int i, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets,
        IReadOnlyDictionary<string, IReadOnlyList<NftVerdictElement>?> maps)
    {
        if (Selector(t, i, out int next) is not { } selector) return false;
        if (next + 1 < t.Count && t[next] == "." && !selector.StartsWith("fib", StringComparison.Ordinal))
        {
            var selectors = new List<string> { selector };
            while (next + 1 < t.Count && t[next] == "." && Selector(t, next + 1, out int after) is { } more)
            {
                selectors.Add(more);
                next = after;
            }
            if (next >= t.Count || t[next] != ".")
            {
                i = Concatenation(rule, selectors, t, i, next, sets, maps);
                return true;
            }
        }
        if (next < t.Count && t[next] == "set")
        {
            // A statement that sets a value (meta mark set 1, tcp option maxseg size set rt mtu): no verdict, no condition.
            i = SkipValue(t, next + 1);
            while (i < t.Count && !IsStatementStart(t[i])) i++;
            return true;
        }
        string op = "";
        if (next < t.Count && Operators.Contains(t[next])) op = t[next++];
        // A flag field tests its flags as nft -j writes it, "in" ("ct status dnat"), or their absence, "!"
        // ("ct status ! dnat"); a set of values is compared whole, but for a set of one, which nft makes a test of
        // that flag (listed "ct status dnat", nft -j "in").
        else if (selector == "ct status" && next < t.Count)
            op = t[next] == "!" ? t[next++] : t[next] == "{" && !(next + 2 < t.Count && t[next + 2] == "}") ? "==" : "in";
        if (op.Length == 0 && next < t.Count && t[next] == "vmap" && VerdictMap(rule, [selector], t, next + 1, maps) is int mapEnd)
        {
            i = mapEnd;
            return true;
        }
        if (next < t.Count && t[next] is "vmap" or "map" or ".")
        {
            // Verdict maps and concatenations: skipped whole (a braced set to its closing brace), reported, undecidable.
            int end = next;
            while (end < t.Count && (t[end] is "." or "vmap" or "map" || TwoWordHeads.Contains(t[end - 1]) || t[end - 1] == "." || Operators.Contains(t[end]))) end++;
            end = SkipValue(t, end);
            rule.Unknown(string.Join(' ', t[i..end]), t[next] == "." ? "concatenations are not evaluated" : "a verdict map is not evaluated");
            if (t[next] == "vmap") rule.Action = PolicyAction.Unknown;
            i = end;
            return true;
        }
        if (selector == "ct status" && next < t.Count && t[next] == "&" && StatusMask(rule, t, next) is int maskEnd)
        {
            i = maskEnd;
            return true;
        }
        if (next < t.Count && (t[next] is "&" or "(" || t[next] == "!"))
        {
            int end = next;
            while (end < t.Count && !IsStatementStart(t[end])) end++;
            // A mask over a header field: undecidable, but only packets of that protocol have the field.
            if (t[i] is "tcp" or "udp" or "sctp" && PolicyValues.TryProtocol(t[i], out byte protocol)) rule.RequireProtocol(protocol);
            rule.Undecidable(string.Join(' ', t[i..end]));
            i = end;
            return true;
        }
        var values = new List<string>();
        bool anonymousSet = next < t.Count && t[next] == "{";
        if (anonymousSet)
        {
            next++;
            while (next < t.Count && t[next] != "}")
            {
                // An element of flags joined by | is one value, one combination of them: "{ syn | ack, syn }".
                if (t[next] == "|" && values.Count > 0 && next + 1 < t.Count && t[next + 1] is not ("," or "}"))
                    values[^1] += " | " + NftTokens.Unquote(t[++next]);
                else if (t[next] is not ",") values.Add(NftTokens.Unquote(t[next]));
                next++;
            }
            next++;
        }
        else if (next < t.Count)
        {
            int end = ListEnd(t, next);
            values.AddRange(t[next].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(NftTokens.Unquote));
            for (int j = next + 2; j < end; j += 2) values.Add(NftTokens.Unquote(t[j]));
            next = end;
            // "tcp flags syn / syn,ack", as nft lists "tcp flags & (syn | ack) == syn": the flags, then the mask over them,
            // itself a list; the words after it are the rule's next statements.
            if (values.Count > 0 && next + 1 < t.Count && t[next] == "/")
            {
                end = ListEnd(t, next + 1);
                values[^1] += " / " + string.Join(',', t[(next + 1)..end].Where(w => w is not ("," or "|")));
                next = end;
            }
        }
        NftMatches.Apply(rule, selector, op, values, sets, anonymousSet);
        i = next;
        return true;
    }
}
