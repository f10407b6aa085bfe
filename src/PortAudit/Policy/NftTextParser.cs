using System.Text;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Reads <c>nft list ruleset</c> output (and files for <c>nft -f</c> written the same way, with <c>define</c> variables):
/// tables, base and regular chains, named sets with their elements, rules. Objects it has no use for (counters, quotas,
/// flowtables) are skipped; statements and matches it does not understand are reported with file:line.
/// </summary>
public static class NftTextParser
{
    /// <summary>
    /// The most characters <c>define</c> substitution may add to a ruleset, over all its lines: 16 Mi, far above a real
    /// ruleset (a 1,000-address define used by 300 rules adds 3 Mi) and far below what doubling defines reach (issue 43:
    /// 40 lines, each a set of two of the one before, expand to 2^40 elements).
    /// </summary>
    public const long MaxDefineExpansion = 16L << 20;

    /// <summary>Parses <paramref name="text"/>, read from <paramref name="file"/>.</summary>
    /// <exception cref="InputException">
    /// Its defines expand past <see cref="MaxDefineExpansion"/> characters; it ends inside a block, closes a block never
    /// opened, nests blocks past <see cref="NftBlocks.MaxNesting"/> or holds no table (<see cref="NftBlocks"/>).
    /// </exception>
    public static FirewallPolicy Parse(string text, string file, string? name = null) => Parse(text, file, name, emptySetsUnknown: false);

    // emptySetsUnknown: a set declared without elements that the file adds none to has members not known (the reading
    // of FirewallPolicy.IfSetsFilled), not none.
    private static FirewallPolicy Parse(string text, string file, string? name, bool emptySetsUnknown)
    {
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var state = Read(lines, new State(file, null) { EmptySetsUnknown = emptySetsUnknown });
        // nft -f adds a file's elements ("add element inet f blocked { 10.0.0.1 }") before any packet meets its rules,
        // wherever they stand: where the file adds some, it is read again with them in their sets from the start.
        if (state.Added.Count > 0) state = Read(lines, new State(file, state.Added) { EmptySetsUnknown = emptySetsUnknown });
        var policy = HookPaths.Nftables(name ?? Path.GetFileName(file), file, PolicyFormat.NftText, [.. state.Chains.Select(c => c.Build())], state.Issues.All);
        return state.EmptySets.Count == 0 || emptySetsUnknown ? policy
            : policy with { EmptySets = state.EmptySets, IfSetsFilled = Parse(text, file, name, emptySetsUnknown: true) };
    }

    private static State Read(string[] lines, State state)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            state.Line(Statement(lines, ref i), lineNumber);
        }
        state.Blocks.End(state.File);
        return state;
    }

    /// <summary>
    /// The text that starts at line <paramref name="i"/>, which is left at its last line: continuation lines and sets
    /// written over several lines make one. Each line is tokenized once, so that a brace never closed costs a pass over
    /// the rest of the file, not a pass per line over a growing statement (found by tools/fuzz: a 2 MB line after an
    /// unclosed set took minutes).
    /// </summary>
    private static string Statement(string[] lines, ref int i)
    {
        string line = lines[i];
        var statements = new NftStatements();
        statements.Add(NftTokens.Split(line));
        if (!Continues(line, statements)) return line;
        var statement = new StringBuilder(line);
        while (i + 1 < lines.Length && Continues(statement, statements))
        {
            TrimContinuation(statement);
            string next = lines[++i];
            statement.Append(' ').Append(next);
            statements.Add(NftTokens.Split(next));
        }
        return statement.ToString();
    }

    // A line ending in '\' goes on; so does a set opened and not closed ("elements = { a,"), as opposed to a block
    // ("chain input {"), whose statements end at their lines.
    private static bool Continues(string line, NftStatements statements) => line.AsSpan().TrimEnd().EndsWith("\\") || statements.InSet;

    private static bool Continues(StringBuilder statement, NftStatements statements)
    {
        int end = statement.Length;
        while (end > 0 && char.IsWhiteSpace(statement[end - 1])) end--;
        return end > 0 && statement[end - 1] == '\\' || statements.InSet;
    }

    private static void TrimContinuation(StringBuilder statement)
    {
        int end = statement.Length;
        while (end > 0 && char.IsWhiteSpace(statement[end - 1])) end--;
        while (end > 0 && statement[end - 1] == '\\') end--;
        statement.Length = end;
    }

    private sealed class ChainBuilder(string name, PolicyLocation location)
    {
        public readonly List<PolicyRuleBuilder> Rules = [];
        public string Name { get; } = name;
        public string? Hook;
        public PolicyAction? Policy;
        public int Priority;
        public PolicyLocation Location = location;

        public int Family;

        public PolicyChain Build() => new()
        {
            Name = Name, Family = Family, Hook = Hook, DefaultPolicy = Hook is null ? null : Policy ?? PolicyAction.Accept, Priority = Priority,
            Location = Location, Rules = PolicyRuleBuilder.BuildChain(Name, Rules), IsNat = HookPaths.IsNat(Hook),
        };
    }

    // added: the elements the file adds to each set or map ("add element"), by table and name, read by an earlier pass;
    // null on the first.
    private sealed class State(string file, Dictionary<(string Table, string Set), List<string>>? added)
    {
        public string File => file;

        /// <summary>True to leave the members of a set declared without elements unknown, not none.</summary>
        public bool EmptySetsUnknown { get; init; }

        /// <summary>The sets declared without elements and added none (<see cref="FirewallPolicy.EmptySets"/>).</summary>
        public List<EmptySet> EmptySets { get; } = [];

        /// <summary>The elements of the file's <c>add element</c> statements, by table and set, each as written ("40 : accept").</summary>
        public Dictionary<(string Table, string Set), List<string>> Added { get; } = [];

        private readonly Dictionary<string, string> _defines = new(StringComparer.Ordinal);
        private long _expanded;
        private readonly Dictionary<string, Dictionary<string, IReadOnlyList<string>?>> _sets = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChainBuilder> _byName = new(StringComparer.Ordinal);
        private string? _family, _table;
        private ChainBuilder? _chain;
        private readonly Dictionary<string, Dictionary<string, IReadOnlyList<NftVerdictElement>?>> _maps = new(StringComparer.Ordinal);
        private (string Name, List<string>? Elements, bool Dynamic)? _set;
        private PolicyLocation _setLocation;
        private bool _setIsMap;
        // The elements of the verdict map being read ("type ipv4_addr : verdict"), null for a set or another map.
        private List<NftVerdictElement>? _verdicts;
        private bool _verdictMap;
        // The blocks open when an object block this reader skips was opened; null when none is being skipped.
        private int? _skipFrom;

        public List<ChainBuilder> Chains { get; } = [];
        public PolicyIssues Issues { get; } = new();
        public NftBlocks Blocks { get; } = new();

        public void Line(string line, int number)
        {
            var location = new PolicyLocation(file, number);
            // A line may hold several statements, a whole chain with its header (nft -f reads it; nft list ruleset
            // never writes it): each is read as if on its own line.
            var statements = new NftStatements();
            statements.Add(NftTokens.Split(Substitute(line, location)));
            foreach (var tokens in statements.Take()) Read(tokens, location);
        }

        private void Read(List<string> tokens, PolicyLocation location)
        {
            if (_skipFrom is not null)
            {
                Skip(tokens, location);
                return;
            }
            if (_set is not null) { SetLine(tokens, location); return; }
            if (_chain is not null) { ChainLine(tokens, location); return; }
            if (_table is not null) { TableLine(tokens, location); return; }
            TopLine(tokens, location);
        }

        // Each define's uses replaced, longest name first; what the replacements add is counted before it is made, over the
        // whole file, so that defines built of defines are refused before they grow (not after gigabytes).
        private string Substitute(string line, PolicyLocation location)
        {
            if (!line.Contains('$')) return line;
            foreach (var (key, value) in _defines.OrderByDescending(d => d.Key.Length))
            {
                string use = "$" + key;
                int uses = Occurrences(line, use);
                if (uses == 0) continue;
                _expanded += (long)uses * Math.Max(0, value.Length - use.Length);
                if (_expanded > MaxDefineExpansion)
                    throw new InputException(FormattableString.Invariant(
                        $"{location}: define {use} expands the ruleset past {MaxDefineExpansion:N0} characters (the limit of define substitution; here {uses} use(s) of {value.Length:N0} characters each)"));
                line = line.Replace(use, value, StringComparison.Ordinal);
            }
            return line;
        }

        private static int Occurrences(string line, string use)
        {
            int count = 0;
            for (int at = line.IndexOf(use, StringComparison.Ordinal); at >= 0; at = line.IndexOf(use, at + use.Length, StringComparison.Ordinal)) count++;
            return count;
        }

        private void TopLine(List<string> t, PolicyLocation location)
        {
            switch (t[0])
            {
                case "flush" or "delete" when t.Count >= 2 && t[1] == "ruleset":
                    return;
                case "define" when t.Count >= 4 && t[2] == "=":
                    _defines[t[1]] = string.Join(' ', t.Skip(3));
                    return;
                case "table" when t[^1] == "{":
                    Blocks.Open(t, location);
                    (_family, _table) = t.Count == 4 ? (t[1], t[2]) : ("ip", t[1]);
                    _sets.TryAdd(TableKey, new(StringComparer.Ordinal));
                    return;
                case "add" or "insert" when t.Count >= 5 && t[1] == "rule":
                    var family = t[2]; var table = t[3]; var chain = t[4];
                    Blocks.NameTable();
                    (_family, _table) = (family, table);
                    _sets.TryAdd(TableKey, new(StringComparer.Ordinal));
                    Rule(ChainNamed(chain, location), t.Skip(5).ToList(), location);
                    (_family, _table) = (null, null);
                    return;
                case "}":
                    Blocks.Close(location);
                    return;
                case "add" when t.Count >= 5 && t[1] == "element" && t.IndexOf("{") is int open and (4 or 5):
                    // "add element [FAMILY] TABLE SET { ELEMENT, ... }": kept for the next pass, which puts them in the set.
                    var (addFamily, addTable) = open == 5 ? (t[2], t[3]) : ("ip", t[2]);
                    var key = ($"{addFamily} {addTable}", t[open - 1]);
                    var elements = Added.TryGetValue(key, out var earlier) ? earlier : Added[key] = [];
                    elements.Add(",");
                    elements.AddRange(t.Skip(open + 1).TakeWhile(x => x != "}"));
                    return;
                case "add" when t.Count >= 2 && t[1] is "table" or "chain":
                    Issues.Add(location, string.Join(' ', t), "tables and chains as blocks (nft list ruleset)");
                    return;
                default:
                    Issues.Add(location, string.Join(' ', t), "table FAMILY NAME {, define, flush ruleset");
                    return;
            }
        }

        // Inside an object block this reader has no use for: only its braces count, until the blocks open when it began
        // are again all that is open.
        private void Skip(List<string> tokens, PolicyLocation location)
        {
            _skipFrom ??= Blocks.Depth;
            int depth = NftTokens.Depth(tokens);
            for (int opened = depth; opened > 0; opened--) Blocks.Open(tokens, location);
            for (int closed = -depth; closed > 0 && Blocks.Depth > _skipFrom; closed--) Blocks.Close(location);
            if (Blocks.Depth == _skipFrom) _skipFrom = null;
        }

        private string TableKey => $"{_family} {_table}";

        private Dictionary<string, IReadOnlyList<NftVerdictElement>?> Maps =>
            _maps.TryGetValue(TableKey, out var maps) ? maps : _maps[TableKey] = new(StringComparer.Ordinal);

        private ChainBuilder ChainNamed(string chain, PolicyLocation location)
        {
            string key = $"{_family} {_table} {chain}";
            if (!_byName.TryGetValue(key, out var builder))
            {
                builder = new ChainBuilder(key, location) { Family = _family == "ip" ? 4 : _family == "ip6" ? 6 : 0 };
                _byName.Add(key, builder);
                Chains.Add(builder);
            }
            return builder;
        }

        private void TableLine(List<string> t, PolicyLocation location)
        {
            if (t[0] == "}") { Blocks.Close(location); (_family, _table) = (null, null); return; }
            if (t[0] is "flags" or "comment") return;
            if (t[^1] != "{") { Issues.Add(location, string.Join(' ', t), "chain, set, map or an object block"); return; }
            if (t[0] is "chain" or "set" or "map" && t.Count >= 3) Blocks.Open(t, location);
            if (t[0] == "chain" && t.Count >= 3) _chain = ChainNamed(t[1], location);
            else if (t[0] is "set" or "map" && t.Count >= 3) (_set, _verdictMap, _verdicts, _setLocation, _setIsMap) = ((t[1], null, false), false, null, location, t[0] == "map");
            else Skip(t, location);
        }

        private void SetLine(List<string> t, PolicyLocation location)
        {
            var (name, elements, dynamic) = _set!.Value;
            if (t[0] == "}")
            {
                // Elements the file adds later are the set's as much as those declared with it.
                if (added?.GetValueOrDefault((TableKey, name)) is { } more)
                {
                    // A map's elements not understood where declared (elements listed, no verdicts read) stay so.
                    _verdicts = elements is not null && _verdicts is null || NftVerdictMap.Elements(more) is not { } addedVerdicts
                        ? null : [.. _verdicts ?? [], .. addedVerdicts];
                    elements = [.. elements ?? [], .. Members(more)];
                }
                // A set without elements in the listing may be filled at run time (dynamic, timeout): its members are not known.
                // One declared without elements is empty in the file, as the kernel holds it until something adds some; so
                // is a verdict map (a data map's lookups, in a nat target, are not evaluated).
                if (elements is null && !dynamic && (!_setIsMap || _verdictMap))
                {
                    EmptySets.Add(new EmptySet(name, TableKey, _setLocation, _setIsMap));
                    if (!EmptySetsUnknown) (elements, _verdicts) = ([], []);
                }
                _sets[TableKey][name] = dynamic ? null : elements;
                if (_verdictMap) Maps[name] = dynamic ? null : _verdicts;
                _set = null;
                Blocks.Close(location);
                return;
            }
            if (t[0] == "elements")
            {
                var inside = t.SkipWhile(x => x != "{").Skip(1).TakeWhile(x => x != "}").ToList();
                elements = Members(inside);
                _verdicts = NftVerdictMap.Elements(inside);
            }
            if (t[0] == "type" && t[^1] == "verdict") _verdictMap = true;
            if (t[0] == "flags" && t.Any(x => x is "dynamic" or "timeout")) dynamic = true;
            if (t[0] == "timeout") dynamic = true;
            _set = (name, elements, dynamic);
        }

        // Set members split at commas; a map element keeps its key, a concatenation's as NftVerdictMap.Key joins it.
        private static List<string> Members(List<string> tokens)
        {
            var members = new List<string>();
            var current = new List<string>();
            foreach (string token in tokens.Append(","))
            {
                if (token != ",") { current.Add(token); continue; }
                if (current.Count > 0) members.Add(NftVerdictMap.Key(current, 0, current.Count) ?? NftTokens.Unquote(current[0]));
                current.Clear();
            }
            return members;
        }

        private void ChainLine(List<string> t, PolicyLocation location)
        {
            var chain = _chain!;
            if (t[0] == "}") { Blocks.Close(location); _chain = null; return; }
            if (t[0] is "type" or "policy" or "comment" or "devices" or "device")
            {
                ChainHeader(chain, t, location);
                return;
            }
            Rule(chain, t, location);
        }

        private void ChainHeader(ChainBuilder chain, List<string> t, PolicyLocation location)
        {
            for (int i = 0; i < t.Count; i++)
            {
                switch (t[i])
                {
                    case "type" when i + 1 < t.Count:
                        chain.Hook = t[i + 1] == "filter" ? "" : "(" + t[i + 1] + ")";
                        break;
                    case "hook" when i + 1 < t.Count && chain.Hook is not null:
                        // Only filter chains of the IP families decide; a nat chain's hook is kept apart from the paths.
                        chain.Hook = chain.Hook.Length == 0 && _family is "ip" or "ip6" or "inet" ? t[i + 1] : $"{_family} {t[i + 1]} {chain.Hook}".Trim();
                        chain.Location = location;
                        break;
                    case "priority" when i + 1 < t.Count:
                        chain.Priority = HookPaths.Priority(t[i + 1]) + Offset(t, i + 2);
                        break;
                    case "policy" when i + 1 < t.Count:
                        chain.Policy = t[i + 1] switch { "drop" => PolicyAction.Drop, "accept" => PolicyAction.Accept, _ => null };
                        if (chain.Policy is null) Issues.Add(location, "policy " + t[i + 1], "policy accept or policy drop");
                        break;
                }
            }
        }

        // The offset nft lists after a named priority, "filter + 10", "filter - 10"; 0 when none.
        private static int Offset(List<string> t, int i) =>
            i + 1 < t.Count && t[i] is "+" or "-" && int.TryParse(t[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
                ? t[i] == "+" ? n : -n
                : 0;

        private void Rule(ChainBuilder chain, List<string> t, PolicyLocation location)
        {
            var rule = new PolicyRuleBuilder(location, Issues) { FamilyTable = TableKey, BeforeFilter = HookPaths.TranslatesBeforeFilter(chain.Hook) };
            if (_family == "ip") rule.Family = 4;
            else if (_family == "ip6") rule.Family = 6;
            var sets = _sets.GetValueOrDefault(TableKey) ?? new();
            NftTextRule.Read(rule, t, sets, Maps);
            chain.Rules.AddRange(NftVerdictMap.Rules(rule, sets));
        }
    }
}
