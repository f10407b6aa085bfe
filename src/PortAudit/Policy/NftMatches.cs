using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Policy;

/// <summary>
/// The nftables match expressions both nftables readers share (text and JSON give the same selector, operator and values):
/// addresses, ports, protocols, connection state and interfaces; anything else is undecidable or unknown.
/// </summary>
internal static class NftMatches
{
    /// <summary>Applies "<paramref name="selector"/> <paramref name="op"/> <paramref name="values"/>" to <paramref name="rule"/>.</summary>
    /// <param name="rule">The rule being read.</param>
    /// <param name="selector">"tcp dport", "ip saddr", "ct state", "meta l4proto", "iifname"...</param>
    /// <param name="op">"==" (or empty) or "!="; others make the condition undecidable.</param>
    /// <param name="values">Values or set members as written: "22", "1024-65535", "10.0.0.0/8", "@trusted", "established".</param>
    /// <param name="sets">Named sets of the table, by name, with their members (null members: not in the file).</param>
    /// <param name="anonymousSet">Whether the values were written as a set in braces ("{ syn, syn | ack }"), not a list ("syn,ack").</param>
    public static void Apply(PolicyRuleBuilder rule, string selector, string op, IReadOnlyList<string> values, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets,
        bool anonymousSet = false)
    {
        bool negated = op is "!=" or "ne";
        string text = $"{selector} {op} {string.Join(",", values)}".Replace("  ", " ", StringComparison.Ordinal);
        if (selector == "ct status")
        {
            Status(rule, op, values, text);
            return;
        }
        if (op is not ("" or "==" or "eq" or "!=" or "ne" or "in"))
        {
            rule.Undecidable(text);
            return;
        }
        switch (selector)
        {
            case "ip saddr" or "ip6 saddr" or "ip daddr" or "ip6 daddr":
                var addresses = Addresses(rule, values, negated, sets, text);
                if (selector.EndsWith("saddr", StringComparison.Ordinal)) rule.MatchSource(addresses, text);
                else rule.MatchDestination(addresses, text);
                rule.Family = selector.StartsWith("ip6", StringComparison.Ordinal) ? 6 : 4;
                return;
            case "tcp dport" or "udp dport" or "sctp dport" or "th dport" or "tcp sport" or "udp sport" or "sctp sport" or "th sport":
                if (!selector.StartsWith("th", StringComparison.Ordinal))
                    rule.RequireProtocol(PolicyValues.TryProtocol(selector[..selector.IndexOf(' ')], out byte p) ? p : (byte)0);
                if (Ports(values, negated, sets) is not { } ports)
                {
                    rule.Unknown(text, "ports, port ranges or a set of them");
                    return;
                }
                if (selector.EndsWith("dport", StringComparison.Ordinal)) rule.MatchDestinationPorts(ports);
                else rule.MatchSourcePorts(ports);
                return;
            case "meta l4proto" or "ip protocol" or "ip6 nexthdr" or "l4proto":
                var protocols = new List<byte>();
                if (Expand(values, sets) is not { } protocolValues) { rule.Unknown(text, "a set of protocols with its elements in the file"); return; }
                foreach (string value in protocolValues)
                    if (Protocols(value) is { } range) protocols.AddRange(range);
                    else { rule.Unknown(text, "protocol names, numbers or ranges of them"); return; }
                if (negated) protocols = Enumerable.Range(0, 256).Select(i => (byte)i).Except(protocols).ToList();
                rule.MatchProtocols(protocols);
                if (selector.StartsWith("ip ", StringComparison.Ordinal)) rule.Family = 4;
                else if (selector.StartsWith("ip6", StringComparison.Ordinal)) rule.Family = 6;
                return;
            case "meta nfproto" or "meta protocol" or "ether type":
                if (values is ["ipv4" or "ip"]) rule.Family = negated ? 6 : 4;
                else if (values is ["ipv6" or "ip6"]) rule.Family = negated ? 4 : 6;
                else rule.Unknown(text, "ipv4 or ipv6");
                return;
            case "ct state":
                var states = ConnectionStates.None;
                if (Expand(values, sets) is not { } stateValues) { rule.Unknown(text, "a set of states with its elements in the file"); return; }
                foreach (string value in stateValues)
                    if (Enum.TryParse<ConnectionStates>(value, ignoreCase: true, out var state)) states |= state;
                    else { rule.Unknown(text, "new, established, related, invalid, untracked"); return; }
                rule.MatchStates(negated ? ~states & (ConnectionStates)31 : states);
                return;
            case "iif" or "iifname" or "meta iif" or "meta iifname" or "oif" or "oifname" or "meta oif" or "meta oifname":
                // A set of names is any of them, one condition ("a,b"); not in a set ("!= { "a", "b" }") is neither, as
                // "!= "a" != "b"" is (firewalld and hand-written rulesets): conditions that must all hold. A name ending
                // in * is every name it begins ("eth*"), as the kernel compares it.
                if (Expand(values, sets) is not { } names) { rule.Unknown(text, "a set of interface names with its elements in the file"); return; }
                // nft -j lists a set sorted, the text as written: one order for both.
                var sorted = names.Select(n => n.Trim('"')).Order(StringComparer.Ordinal);
                string conditions = negated ? string.Join(' ', sorted.Select(n => "!" + n)) : string.Join(',', sorted);
                bool incoming = selector.Contains("iif", StringComparison.Ordinal);
                string? earlier = incoming ? rule.InInterface : rule.OutInterface;
                string both = earlier is null || earlier == conditions ? conditions : $"{earlier} {conditions}";
                if (incoming) rule.InInterface = both;
                else rule.OutInterface = both;
                return;
            case "icmp type" or "icmp code" or "icmpv6 type" or "icmpv6 code":
                rule.RequireProtocol(selector.StartsWith("icmpv6", StringComparison.Ordinal) ? (byte)58 : IpProtocol.Icmp);
                rule.Undecidable(text);
                return;
            case "tcp flags":
                rule.RequireProtocol(IpProtocol.Tcp);
                rule.Undecidable(FlagsText(op, values, anonymousSet));
                return;
            case "fib daddr type" when PolicyValues.TryAddressTypes(values, out var types):
                // The route type of the destination, as iptables --dst-type: local for an address of the host's own,
                // decided where the point is a host's own firewall, multicast and the limited broadcast by the address
                // (PolicyRule.DestinationTypes). One looked up on the incoming interface ("fib daddr . iif type") or
                // another type may match.
                rule.MatchDestinationTypes(negated ? AddressTypes.All & ~types : types);
                return;
            case "meta pkttype" or "meta mark" or "ct mark" or "meta skuid" or "meta skgid" or "ip length" or "ip ttl"
                or "ip6 hoplimit" or "ct direction" or "ether saddr" or "ether daddr" or "ip dscp" or "ip6 dscp" or "meta cpu":
            case not null when selector.StartsWith("fib ", StringComparison.Ordinal):
                rule.Undecidable(text);
                return;
            default:
                rule.Unknown(text, "a match on addresses, ports, protocol, ct state or interface");
                return;
        }
    }

    // A protocol ("tcp", "6") or a range of them ("10-20", an interval set's element: the kernel matches every protocol
    // from the first to the last); a name with a hyphen ("ipv6-icmp") is one protocol. Null when neither.
    private static IEnumerable<byte>? Protocols(string value)
    {
        if (PolicyValues.TryProtocol(value, out byte protocol)) return [protocol];
        if (value.Split('-') is [var first, var last] && PolicyValues.TryProtocol(first, out byte low) && PolicyValues.TryProtocol(last, out byte high) && low <= high)
            return Enumerable.Range(low, high - low + 1).Select(p => (byte)p);
        return null;
    }

    // A test of TCP flags as nft lists it: a list ("tcp flags syn,ack", any of them; nft -j "in") and a set of combinations
    // ("tcp flags { syn, syn | ack }", the flags equal to one of them; nft -j "==") are different tests, so the set keeps
    // its braces; the operator is written only when it negates.
    private static string FlagsText(string op, IReadOnlyList<string> values, bool anonymousSet)
    {
        string written = op is "!=" or "ne" ? "!= " : "";
        return anonymousSet ? $"tcp flags {written}{{ {string.Join(", ", values)} }}" : $"tcp flags {written}{string.Join(",", values)}";
    }

    // The states of a connection the kernel tracks: one without (untracked, or invalid: not tracked yet) has no status.
    private const ConnectionStates Tracked = ConnectionStates.New | ConnectionStates.Established | ConnectionStates.Related;

    // The two status flags the nat walk decides, in the kernel's bit order, which nft lists them in.
    private static readonly string[] TranslationFlags = ["snat", "dnat"];

    // "ct status dnat" tests the flag (nft -j: op "in"; "snat,dnat": any of them), "ct status ! dnat" its absence: the
    // first packet the filter sees has dnat when the nat chains before translated its destination; snat when a nat
    // chain of its hook ran before it (input or postrouting, lower priority: PolicyRule.SourceTranslated), never where
    // the nat chains come after the filter (postrouting's, input's at srcnat after a filter chain at 0), as iptables'
    // --ctstate SNAT, whose nat INPUT and POSTROUTING come after its filter; "snat,dnat" either (PolicyRule.AnyTranslation:
    // after such a nat chain an untranslated destination may still have snat). "ct status != dnat"
    // and a set ("{ snat, dnat }", "== dnat") compare the whole status, which holds each of the two with its -done flag
    // (dnat-done, snat-done): it never equals either, and "!=" holds for every connection (the kernel passed both a
    // translated and an untranslated one by "!= dnat"). A packet with no connection (untracked, or invalid: not tracked
    // yet) has no status at all: no form matches it. Other flags (confirmed, assured, dnat-done after a nat chain the
    // listing may not show...) depend on hooks and packets a flow's first packet does not show: they may match. A mask
    // as nft lists it, "ct status != dnat / snat,dnat" (value / mask), is the test of StatusMask.
    private static void Status(PolicyRuleBuilder rule, string op, IReadOnlyList<string> values, string text)
    {
        if (values.Count > 0 && values[^1].IndexOf(" / ", StringComparison.Ordinal) is var slash and >= 0)
        {
            string compared = op is "!=" or "ne" ? "!=" : op is "" or "in" or "==" or "eq" ? "==" : op;
            StatusMask(rule, compared, values[^1][(slash + 3)..].Split(','), [.. values.SkipLast(1), values[^1][..slash]]);
            return;
        }
        if (values.Count == 0 || values.Any(v => v is not ("dnat" or "snat")))
        {
            rule.Undecidable(text);
            return;
        }
        bool dnat = values.Contains("dnat");
        switch (op)
        {
            case "" or "in" when dnat && values.Contains("snat"):
                // Any of the two flags: after a source nat chain an untranslated destination may still have snat.
                Either(rule, true, true, text);
                break;
            case "" or "in":
                if (dnat) rule.MatchTranslated(true);
                else
                {
                    rule.SourceTranslated = true;
                    rule.MatchStates(Tracked);
                }
                break;
            case "!":
                if (dnat) rule.MatchTranslated(false);
                if (values.Contains("snat")) rule.SourceTranslated = false;
                rule.MatchStates(Tracked);
                break;
            case "==" or "eq":
                rule.MatchNothing();
                break;
            case "!=" or "ne":
                rule.MatchStates(Tracked);
                break;
            default:
                rule.Undecidable(text);
                break;
        }
    }

    // One of two flag tests holds (PolicyRule.AnyTranslation): dnat set or not as translated says, snat as sourceTranslated.
    private static void Either(PolicyRuleBuilder rule, bool translated, bool sourceTranslated, string text)
    {
        // A rule that already tests a flag would need both tests at once, which the rule does not hold.
        if (rule.Translated is not null || rule.SourceTranslated is not null)
        {
            rule.Undecidable(text);
            return;
        }
        rule.Translated = translated;
        rule.SourceTranslated = sourceTranslated;
        rule.AnyTranslation = true;
        rule.MatchStates(Tracked);
    }

    /// <summary>
    /// Applies "ct status &amp; <paramref name="mask"/> <paramref name="op"/> <paramref name="values"/>" ("ct status &amp;
    /// (snat|dnat) != 0"; nft lists some as "ct status VALUE / MASK"): with "==" every flag of the mask is set as the value
    /// has it, with "!=" one of them is not; the flag tests of <c>ct status dnat</c>, <c>! dnat</c> and <c>snat,dnat</c>,
    /// decided as they are. A mask of other flags (confirmed, assured...) may match.
    /// </summary>
    /// <param name="rule">The rule being read.</param>
    /// <param name="op">"==" or "!=" ("eq", "ne"); others make the condition undecidable.</param>
    /// <param name="mask">The mask's flags, as written: "dnat", "snat|dnat" or "snat", "dnat".</param>
    /// <param name="values">The value's flags, the same way, or "0" for none.</param>
    public static void StatusMask(PolicyRuleBuilder rule, string op, IReadOnlyList<string> mask, IReadOnlyList<string> values)
    {
        var masked = Flags(mask);
        var wanted = Flags(values);
        bool equal = op is "==" or "eq";
        if (masked is not { Count: > 0 } || wanted is null || !(equal || op is "!=" or "ne"))
        {
            rule.Undecidable($"ct status & {string.Join('|', mask)} {op} {string.Join('|', values)}");
            return;
        }
        // A flag outside the mask is never in the masked status: "==" holds for no connection, "!=" for every one tracked.
        if (!wanted.All(masked.Contains))
        {
            if (equal) rule.MatchNothing();
            else rule.MatchStates(Tracked);
            return;
        }
        string text = $"ct status & {string.Join('|', masked)} {(equal ? "==" : "!=")} {(wanted.Count == 0 ? "0" : string.Join('|', wanted))}";
        if (equal)
            foreach (string flag in masked) Status(rule, wanted.Contains(flag) ? "in" : "!", [flag], text);
        else if (masked.Count == 1)
            Status(rule, wanted.Count == 1 ? "!" : "in", masked, text);
        else
            Either(rule, !wanted.Contains("dnat"), !wanted.Contains("snat"), text);
    }

    // The translation flags of a mask or value, in the kernel's order, split at | and ("snat,dnat" as nft lists them) at
    // commas; "0" is none. Null when a word is another flag or a number, or there is none at all.
    private static List<string>? Flags(IReadOnlyList<string> written)
    {
        var words = written.SelectMany(w => w.Split(['|', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (words is ["0"]) return [];
        if (words.Count == 0 || words.Any(w => !TranslationFlags.Contains(w))) return null;
        return TranslationFlags.Where(words.Contains).ToList();
    }

    private static AddressMatch Addresses(PolicyRuleBuilder rule, IReadOnlyList<string> values, bool negated,
        IReadOnlyDictionary<string, IReadOnlyList<string>?> sets, string text)
    {
        var expanded = Expand(values, sets);
        string? setName = values.FirstOrDefault(v => v.StartsWith('@'));
        if (expanded is null)
        {
            rule.Unknown(text, $"set {setName} with its elements in the file");
            return new AddressMatch([], negated) { SetName = setName, Unresolved = true };
        }
        var prefixes = new List<IpPrefix>();
        foreach (string value in expanded)
        {
            if (PolicyValues.TryPrefix(value, out var prefix)) prefixes.Add(prefix);
            else if (PolicyValues.TryAddressRange(value, out var from, out var to))
                prefixes.AddRange(RangePrefixes(from, to));
            else
            {
                rule.Unknown(text, "addresses, prefixes or address ranges");
                return new AddressMatch([], negated) { SetName = value, Unresolved = true };
            }
        }
        // nft -j lists a set's elements sorted, the text as written: one order for both.
        return new AddressMatch(prefixes.OrderBy(p => p.Network).ThenBy(p => p.Length).ToList(), negated) { SetName = setName };
    }

    /// <summary>
    /// The fewest prefixes covering <paramref name="from"/>..<paramref name="to"/>, both included, in the 128-bit space
    /// both families share (an IPv4 range stays inside the IPv4-mapped block); none when <paramref name="from"/> is
    /// past <paramref name="to"/>.
    /// </summary>
    public static IEnumerable<IpPrefix> RangePrefixes(IpAddr from, IpAddr to)
    {
        UInt128 low = new(from.High, from.Low), high = new(to.High, to.Low);
        while (low <= high)
        {
            // The largest aligned block at low that ends at or before high; low | mask cannot overflow, as low's lowest
            // `size` bits are zero.
            int size = low == UInt128.Zero ? 128 : (int)UInt128.TrailingZeroCount(low);
            UInt128 last;
            while ((last = low | (size == 128 ? UInt128.MaxValue : (UInt128.One << size) - 1)) > high) size--;
            yield return new IpPrefix(new IpAddr((ulong)(low >> 64), (ulong)low), 128 - size);
            if (last == high) yield break;
            low = last + 1;
        }
    }

    private static PortMatch? Ports(IReadOnlyList<string> values, bool negated, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets)
    {
        var ranges = new List<PortRange>();
        foreach (string value in Expand(values, sets) ?? [""])
            if (PolicyValues.TryPortRange(value, '-', out var range)) ranges.Add(range);
            else return null;
        return new PortMatch(ranges.OrderBy(r => r.Low).ToList(), negated);
    }

    // Named sets stand for their members; null when a set's members are not in the file.
    private static List<string>? Expand(IReadOnlyList<string> values, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets)
    {
        var result = new List<string>();
        foreach (string value in values)
        {
            if (!value.StartsWith('@')) { result.Add(value); continue; }
            if (!sets.TryGetValue(value[1..], out var members) || members is null) return null;
            result.AddRange(members);
        }
        return result;
    }
}
