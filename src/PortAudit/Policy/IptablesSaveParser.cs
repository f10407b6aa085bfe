using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Reads <c>iptables-save</c> (and <c>ip6tables-save</c>) output: the filter table's chains with their policies and the
/// <c>-A</c> rules, with the matches that decide a connection (addresses, protocol, ports, multiport, conntrack/state,
/// interfaces, comment). The raw, mangle and security tables can drop too, so their chains are read as well (named "mangle
/// PREROUTING") and take their places on a path as netfilter runs them: raw and mangle before filter, security after it. The nat table does not filter: its chains are read ("nat PREROUTING")
/// for their translations (<see cref="NatTranslation"/>), on no path. A set match (<c>-m set --match-set NAME src</c>) is
/// decided from the set's members where the file also holds <c>ipset save</c>'s lines (<see cref="IpsetList"/>), and is
/// an unknown set otherwise. The
/// family the file filters (iptables IPv4, ip6tables IPv6) is taken from its header, or else from its addresses.
/// </summary>
public static class IptablesSaveParser
{
    private static readonly HashSet<string> BuiltIn = ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"];
    private static readonly HashSet<string> Read = ["filter", "mangle", "raw", "nat", "security"];

    // The chains a new connection crosses, in netfilter's order, per path.
    private static readonly (string Path, string[] Chains)[] Order =
    [
        (HookPaths.Input, ["raw PREROUTING", "mangle PREROUTING", "mangle INPUT", "INPUT", "security INPUT"]),
        (HookPaths.Forward, ["raw PREROUTING", "mangle PREROUTING", "mangle FORWARD", "FORWARD", "security FORWARD"]),
    ];

    /// <summary>Parses <paramref name="text"/>, read from <paramref name="file"/>.</summary>
    public static FirewallPolicy Parse(string text, string file, string? name = null) => Parse(text, file, name, emptySetsUnknown: false);

    // emptySetsUnknown: an ipset the file creates and adds nothing to has members not known (the reading of
    // FirewallPolicy.IfSetsFilled), not none.
    private static FirewallPolicy Parse(string text, string file, string? name, bool emptySetsUnknown)
    {
        var issues = new PolicyIssues();
        var chains = new List<(string Name, PolicyAction? Policy, PolicyLocation Location)>();
        var rules = new Dictionary<string, List<PolicyRuleBuilder>>(StringComparer.Ordinal);
        string? table = null;
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        // ipset save's lines may stand before the tables or after them: every set is known before the first rule is read.
        var ipsets = Ipsets(lines, file, issues);
        var sets = new IptablesSets(ipsets, emptySetsUnknown);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            var location = new PolicyLocation(file, i + 1);
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '*') { table = line[1..]; continue; }
            if (line == "COMMIT") { table = null; continue; }
            if (table is null || !Read.Contains(table)) continue;
            string prefix = table == "filter" ? "" : table + " ";
            if (line[0] == '[')
                line = line[(line.IndexOf(']') + 1)..].Trim();
            var words = ShellWords.Split(line);
            if (words.Count == 0) continue;
            switch (words[0])
            {
                case { } declaration when declaration.StartsWith(':'):
                    string chain = prefix + declaration[1..];
                    var policy = words.Count > 1 ? words[1] switch { "ACCEPT" => PolicyAction.Accept, "DROP" => PolicyAction.Drop, _ => (PolicyAction?)null } : null;
                    Declare(chains, chain, BuiltIn.Contains(declaration[1..]) ? policy ?? PolicyAction.Accept : null, location);
                    break;
                case "-N" when words.Count > 1:
                    Declare(chains, prefix + words[1], null, location);
                    break;
                case "-P" when words.Count > 2:
                    Declare(chains, prefix + words[1], words[2] == "DROP" ? PolicyAction.Drop : PolicyAction.Accept, location);
                    break;
                case "-A" or "-I" when words.Count > 1:
                    var rule = new PolicyRuleBuilder(location, issues) { FamilyTable = prefix, BeforeFilter = table == "nat" && words[1] == "PREROUTING" };
                    IptablesRule.Read(rule, words, 2, sets);
                    string owner = prefix + words[1];
                    (rules.TryGetValue(owner, out var list) ? list : rules[owner] = []).Add(rule);
                    if (chains.All(c => c.Name != owner)) Declare(chains, owner, null, location);
                    break;
                default:
                    issues.Add(location, line, "a chain declaration (:CHAIN POLICY), -N, -P or -A");
                    break;
            }
        }
        var built = chains.Select(c => new PolicyChain
        {
            Name = c.Name,
            Hook = BuiltIn.Contains(c.Name.Split(' ')[^1]) ? c.Name.ToLowerInvariant() : null,
            DefaultPolicy = BuiltIn.Contains(c.Name.Split(' ')[^1]) ? c.Policy ?? PolicyAction.Accept : null,
            Location = c.Location,
            Rules = rules.GetValueOrDefault(c.Name)?.Select((r, i) => r.Build(c.Name, i + 1)).ToList() ?? [],
            IsNat = c.Name.StartsWith("nat ", StringComparison.Ordinal),
        }).ToList();
        int family = Family(lines, built);
        if (family != 0)
            built = built.Select(c => c with { Family = family, Rules = c.Rules.Select(r => r with { Family = family }).ToList() }).ToList();
        var read = new FirewallPolicy
        {
            Name = name ?? Path.GetFileName(file), File = file, Format = PolicyFormat.Iptables, Chains = built,
            Paths = Order.Select(o => new PolicyPath(o.Path, o.Chains.Where(c => built.Any(b => b.Name == c)).ToList())).Where(p => p.Chains.Count > 0).ToList(),
            Issues = issues.All,
        };
        // A set created without members (fail2ban's before its first ban, a blocklist not yet loaded) matches nothing
        // while it is so, as an nftables set declared empty: the findings it could change say so.
        var empty = ipsets.All.Where(s => s.Undecided is null && s.ChangedAt is null && s.Members.Count == 0)
            .Select(s => new EmptySet(s.Name, "", s.Location, IsIpset: true)).ToList();
        return empty.Count == 0 || emptySetsUnknown ? read
            : read with { EmptySets = empty, IfSetsFilled = Parse(text, file, name, emptySetsUnknown: true) };
    }

    // The ipsets of the lines outside any table ("create"/"add", as ipset save writes them), less those a rule's SET
    // target changes as packets pass.
    private static IpsetList Ipsets(string[] lines, string file, PolicyIssues issues)
    {
        var ipsets = new IpsetList();
        var changed = new List<(string Name, PolicyLocation Location)>();
        string? table = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '*') table = line[1..];
            else if (line == "COMMIT") table = null;
            else if (table is null && (line.StartsWith("create ", StringComparison.Ordinal) || line.StartsWith("add ", StringComparison.Ordinal)))
                ipsets.Read(ShellWords.Split(line), new PolicyLocation(file, i + 1), issues);
            else if (table is not null && line.Contains("-j SET", StringComparison.Ordinal))
            {
                var words = ShellWords.Split(line);
                for (int w = 0; w + 1 < words.Count; w++)
                    if (words[w] is "--add-set" or "--del-set") changed.Add((words[w + 1], new PolicyLocation(file, i + 1)));
            }
        }
        foreach (var (name, location) in changed) ipsets.ChangedAtRunTime(name, location);
        return ipsets;
    }

    // iptables sees IPv4 packets alone and ip6tables IPv6 alone: the header either save writes says which ("# Generated by
    // ip6tables-save v1.8.9", "iptables-nft-save"); without it the addresses the rules name do. A file naming addresses of
    // neither family or of both, or holding both saves, is taken for both.
    private static int Family(string[] lines, List<PolicyChain> chains)
    {
        var saved = lines.Where(l => l.StartsWith("# Generated by ip", StringComparison.Ordinal))
            .Select(l => l.StartsWith("# Generated by ip6tables", StringComparison.Ordinal) ? 6 : l.StartsWith("# Generated by iptables", StringComparison.Ordinal) ? 4 : 0)
            .Where(f => f != 0).Distinct().ToList();
        if (saved.Count > 0) return saved.Count == 1 ? saved[0] : 0;
        var prefixes = chains.SelectMany(c => c.Rules).SelectMany(r => new[] { r.Source, r.Destination }).OfType<AddressMatch>().SelectMany(a => a.Prefixes).ToList();
        bool v4 = prefixes.Any(p => p.IsV4), v6 = prefixes.Any(p => !p.IsV4);
        return v4 == v6 ? 0 : v4 ? 4 : 6;
    }

    // A policy given twice (two saves concatenated, -P after :CHAIN) keeps the later one.
    private static void Declare(List<(string Name, PolicyAction? Policy, PolicyLocation Location)> chains, string name, PolicyAction? policy, PolicyLocation location)
    {
        int index = chains.FindIndex(c => c.Name == name);
        if (index < 0) chains.Add((name, policy, location));
        else if (policy is not null) chains[index] = (name, policy, location);
    }
}

/// <summary>The ipsets a ruleset file lists, and whether one created empty is read as filled at run time.</summary>
/// <param name="List">The sets.</param>
/// <param name="EmptyUnknown">True to leave the members of a set created empty unknown (<see cref="FirewallPolicy.IfSetsFilled"/>).</param>
internal sealed record IptablesSets(IpsetList List, bool EmptyUnknown);

/// <summary>Reads the matches and target of one iptables rule.</summary>
internal static class IptablesRule
{
    // Modules whose options are read below, or that only load a match read below.
    private static readonly HashSet<string> Modules = ["tcp", "udp", "icmp", "icmp6", "multiport", "conntrack", "state", "comment", "set", "iprange", "limit", "sctp", "addrtype", "mark", "pkttype", "physdev"];

    /// <summary>
    /// Fills <paramref name="rule"/> from <paramref name="w"/>, starting at <paramref name="i"/>; a set match looks its set
    /// up in <paramref name="sets"/>.
    /// </summary>
    public static void Read(PolicyRuleBuilder rule, List<string> w, int i, IptablesSets sets)
    {
        bool negate = false;
        while (i < w.Count)
        {
            string option = w[i];
            string? value = i + 1 < w.Count ? w[i + 1] : null;
            if (option == "!") { negate = true; i++; continue; }
            int used = 2;
            switch (option)
            {
                case "-s" or "--source" or "-d" or "--destination" when value is not null:
                    var addresses = Addresses(rule, value, negate, option);
                    if (option is "-s" or "--source") rule.MatchSource(addresses, $"{option} {value}");
                    else rule.MatchDestination(addresses, $"{option} {value}");
                    break;
                case "-p" or "--protocol" when value is not null:
                    if (value is "all" or "0") break;
                    if (!PolicyValues.TryProtocol(value, out byte protocol)) { rule.Unknown($"-p {value}", "a protocol name or number"); break; }
                    rule.MatchProtocols(negate ? Enumerable.Range(0, 256).Select(p => (byte)p).Where(p => p != protocol).ToList() : [protocol]);
                    break;
                case "--dport" or "--destination-port" or "--sport" or "--source-port" or "--dports" or "--destination-ports" or "--sports" or "--source-ports" or "--ports" when value is not null:
                    var ranges = new List<Catalog.PortRange>();
                    foreach (string part in value.Split(','))
                        if (PolicyValues.TryPortRange(part, ':', out var range)) ranges.Add(range);
                        else { rule.Unknown($"{option} {value}", "ports or FIRST:LAST ranges"); ranges = null; break; }
                    if (ranges is null) break;
                    var ports = new PortMatch(ranges, negate);
                    if (option == "--ports") rule.Undecidable($"--ports {value}");
                    else if (option.Contains("-d", StringComparison.Ordinal) || option.StartsWith("--dport", StringComparison.Ordinal)) rule.MatchDestinationPorts(ports);
                    else rule.MatchSourcePorts(ports);
                    break;
                case "--ctstate" or "--state" when value is not null:
                    States(rule, option, value, negate);
                    break;
                case "-i" or "--in-interface" or "-o" or "--out-interface" when value is not null:
                    // "eth+" is every name beginning "eth", written as the model writes a wildcard ("eth*").
                    string name = (negate ? "!" : "") + (value.EndsWith('+') ? value[..^1] + "*" : value);
                    if (option is "-i" or "--in-interface") rule.InInterface = name;
                    else rule.OutInterface = name;
                    break;
                case "-m" or "--match" when value is not null:
                    if (!Modules.Contains(value)) rule.Unknown($"-m {value}", "a match module this reader knows (tcp, udp, multiport, conntrack, state, comment)");
                    break;
                case "--comment" when value is not null:
                    rule.Comment = value;
                    break;
                case "--match-set" when value is not null && i + 2 < w.Count:
                    MatchSet(rule, sets, value, w[i + 2], negate);
                    used = 3;
                    break;
                case "-j" or "--jump" or "-g" or "--goto" when value is not null:
                    Target(rule, option is "-g" or "--goto", value, w, i + 2);
                    return;
                case "--dst-type" when value is not null && PolicyValues.TryAddressTypes(value.Split(','), out var types):
                    // LOCAL is an address of the host itself, known for a host's own firewall (PolicyEvaluator); a
                    // multicast group and the limited broadcast are known by the address (PolicyRule.DestinationTypes).
                    rule.MatchDestinationTypes(negate ? AddressTypes.All & ~types : types);
                    break;
                // -m iprange: the addresses from FIRST to LAST, both included, as the kernel compares them (IPv4 in iptables,
                // IPv6 in ip6tables).
                case "--src-range" or "--dst-range" when value is not null && PolicyValues.TryAddressRange(value, out var from, out var to)
                                                          && from.IsV4 == to.IsV4:
                    var addressRange = new AddressMatch(NftMatches.RangePrefixes(from, to).ToList(), negate);
                    if (option == "--src-range") rule.MatchSource(addressRange, $"{option} {value}");
                    else rule.MatchDestination(addressRange, $"{option} {value}");
                    break;
                case "--icmp-type" or "--icmpv6-type" or "--tcp-flags" or "--limit" or "--limit-burst" or "--dst-type" or "--src-type" or "--mark" or "--pkt-type" or "--src-range" or "--dst-range" when value is not null:
                    used = option == "--tcp-flags" ? 3 : 2;
                    rule.Undecidable(string.Join(' ', w.Skip(i).Take(used)));
                    break;
                case "--syn":
                    rule.Undecidable("--syn");
                    used = 1;
                    break;
                case "-c" when i + 2 < w.Count:
                    used = 3;
                    break;
                default:
                    rule.Unknown(option + (value is not null && !value.StartsWith('-') ? " " + value : ""), "an iptables match option");
                    used = value is not null && !value.StartsWith('-') ? 2 : 1;
                    break;
            }
            negate = false;
            i += used;
        }
    }

    // The conntrack match holds when the connection is in any state listed. SNAT and DNAT are states too, whether the
    // connection was translated: the first packet the filter sees is new (or untracked), and translated when the nat
    // chains before it changed its destination (DNAT); SNAT is set after the filter (nat POSTROUTING and INPUT come
    // later), so the first packet never has it. "NEW,DNAT" is then any new connection, "DNAT" a translated one, and
    // "! DNAT" (without NEW) an untranslated one.
    private static void States(PolicyRuleBuilder rule, string option, string value, bool negate)
    {
        var states = ConnectionStates.None;
        bool dnat = false;
        foreach (string part in value.Split(','))
            if (part == "DNAT") dnat = true;
            else if (Enum.TryParse<ConnectionStates>(part, ignoreCase: true, out var state)) states |= state;
        bool orNew = (states & ConnectionStates.New) != 0;
        if (negate)
        {
            rule.MatchStates(~states & (ConnectionStates)31);
            if (dnat && !orNew) rule.MatchTranslated(false);
        }
        else if (!dnat || orNew) rule.MatchStates(states);
        else if ((states & ConnectionStates.Untracked) != 0)
            // Untracked or translated: one or the other, which one condition per field cannot hold.
            rule.Unknown($"{option} {value}", "states of the connection; UNTRACKED with DNAT, untracked or translated, is not evaluated");
        else
        {
            rule.MatchStates(states | ConnectionStates.New);
            rule.MatchTranslated(true);
        }
    }

    // "--match-set NAME src" (or "dst"; "src,dst" on a set of one dimension is its first): a match on the address the
    // first flag names, with the set's members where the file gives them, else undecided naming why.
    private static void MatchSet(PolicyRuleBuilder rule, IptablesSets sets, string name, string flags, bool negate)
    {
        string construct = $"--match-set {name} {flags}";
        var unknown = new AddressMatch([], negate) { SetName = "ipset " + name, Unresolved = true };
        AddressMatch match;
        if (!sets.List.TryGet(name, out var set))
        {
            rule.Unknown(construct, sets.List.IsEmpty
                ? "the set's members, which iptables-save does not write: put ipset save's output in the file (ipset save; iptables-save)"
                : $"a set the file's ipset lines create (none creates {name})");
            match = unknown;
        }
        else if (set.Undecided is { } why)
        {
            rule.Unknown(construct, $"ipset {name} at {set.Location}: {why}");
            match = unknown;
        }
        else if (set.ChangedAt is not null || (set.Members.Count == 0 && sets.EmptyUnknown))
        {
            // Changed by the rules themselves, or read as filled at run time (FirewallPolicy.IfSetsFilled): the rule may match.
            rule.Undecidable(construct);
            match = unknown;
        }
        else
            match = new AddressMatch(set.Members, negate) { SetName = "ipset " + name };
        if (flags.StartsWith("src", StringComparison.Ordinal)) rule.MatchSource(match, construct);
        else rule.MatchDestination(match, construct);
    }

    private static AddressMatch Addresses(PolicyRuleBuilder rule, string value, bool negate, string option)
    {
        var prefixes = new List<Common.IpPrefix>();
        foreach (string part in value.Split(','))
            if (PolicyValues.TryPrefix(part, out var prefix) || (part.Split('/') is [var a, var m] && PolicyValues.TryMask(a, m, out prefix))) prefixes.Add(prefix);
            else
            {
                rule.Unknown($"{option} {value}", "addresses or prefixes (host names are resolved when loaded, not here)");
                return new AddressMatch([], negate) { SetName = value, Unresolved = true };
            }
        return new AddressMatch(prefixes, negate);
    }

    private static void Target(PolicyRuleBuilder rule, bool isGoto, string target, List<string> w, int next)
    {
        switch (target)
        {
            case "ACCEPT": rule.Action = PolicyAction.Accept; break;
            case "DROP": rule.Action = PolicyAction.Drop; break;
            case "REJECT": rule.Action = PolicyAction.Reject; break;
            case "RETURN": rule.Action = PolicyAction.Return; break;
            case "NOTRACK" or "CT" when target == "NOTRACK" || w.Skip(next).Contains("--notrack"):
                rule.Untracked();
                break;
            // SET adds the packet's address to an ipset (or takes it out) and goes on (IpsetList.ChangedAtRunTime).
            case "LOG" or "NFLOG" or "ULOG" or "MARK" or "CONNMARK" or "CT" or "TRACE" or "AUDIT" or "SECMARK" or "CONNSECMARK" or "SET": rule.Action = PolicyAction.Continue; break;
            case "DNAT" or "SNAT" or "MASQUERADE" or "REDIRECT":
                // The translation's target: --to-destination, --to-source or --to-ports, as written.
                int to = w.FindIndex(next, o => o is "--to-destination" or "--to-source" or "--to-ports" or "--to");
                string? value = to >= 0 && to + 1 < w.Count ? w[to + 1] : null;
                rule.Translate(target.ToLowerInvariant(), string.Join(' ', w.Skip(next - 2).TakeWhile(o => o != "-m" && o != "--comment")),
                    value is not null && to >= 0 && w[to] == "--to-ports" ? ":" + value : value);
                break;
            case "QUEUE" or "NFQUEUE" or "TPROXY":
                rule.Unknown("-j " + target, "ACCEPT, DROP, REJECT, RETURN, LOG, a NAT target or a chain");
                rule.Action = PolicyAction.Unknown;
                break;
            default:
                rule.Action = isGoto ? PolicyAction.Goto : PolicyAction.Jump;
                rule.Target = rule.FamilyTable + target;
                break;
        }
        // Target options (--reject-with, --log-prefix) say nothing about the verdict; a comment may still follow.
        for (int i = next; i + 1 < w.Count; i++)
            if (w[i] == "--comment") rule.Comment = w[i + 1];
    }
}

/// <summary>Splits a line into words as a POSIX shell would for iptables-save output: spaces, double and single quotes, backslashes.</summary>
internal static class ShellWords
{
    /// <summary>The words of <paramref name="line"/>.</summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < line.Length) current.Append(line[++i]);
                else current.Append(c);
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(current.ToString());
                current.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c is '"' or '\'') quote = c;
            else if (c == '\\' && i + 1 < line.Length) current.Append(line[++i]);
            else current.Append(c);
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
