using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Reads <c>nft -j list ruleset</c>: the objects of the <c>nftables</c> array (tables, chains, sets, rules), each placed at
/// the line its object starts on. Match expressions go through the same <see cref="NftMatches"/> as the text form.
/// </summary>
public static class NftJsonParser
{
    /// <summary>Parses <paramref name="json"/>, read from <paramref name="file"/>.</summary>
    /// <exception cref="InputException">Not JSON, a lone surrogate escape in a string, or not an object with an <c>nftables</c> array.</exception>
    public static FirewallPolicy Parse(string json, string file, string? name = null) => Parse(json, file, name, emptySetsUnknown: false);

    // emptySetsUnknown: a set listed without elements has members not known (the reading of FirewallPolicy.IfSetsFilled), not none.
    private static FirewallPolicy Parse(string json, string file, string? name, bool emptySetsUnknown)
    {
        var issues = new PolicyIssues();
        var emptySets = new List<EmptySet>();
        var chains = new List<(string Key, PolicyChain Chain)>();
        var rules = new Dictionary<string, List<PolicyRuleBuilder>>(StringComparer.Ordinal);
        var sets = new Dictionary<string, Dictionary<string, IReadOnlyList<string>?>>(StringComparer.Ordinal);
        var maps = new Dictionary<string, Dictionary<string, IReadOnlyList<NftVerdictElement>?>>(StringComparer.Ordinal);
        foreach (var (element, line) in Objects(json, file))
        {
            var location = new PolicyLocation(file, line);
            if (element.ValueKind != JsonValueKind.Object)
            {
                issues.Add(location, Compact(element), "an object of the nftables array");
                continue;
            }
            foreach (var property in element.EnumerateObject())
            {
                try
                {
                    var body = property.Value;
                    string table = $"{Text(body, "family")} {Text(body, "table")}";
                    switch (property.Name)
                    {
                        case "chain":
                            string key = $"{table} {Text(body, "name")}";
                            string? hook = Text(body, "hook");
                            string? type = Text(body, "type");
                            string family = Text(body, "family") ?? "";
                            if (hook is not null && (type != "filter" || family is not ("ip" or "ip6" or "inet")))
                                hook = $"{family} {hook} ({type})";
                            chains.Add((key, new PolicyChain
                            {
                                Name = key, Hook = hook, Location = location, Rules = [], Family = family == "ip" ? 4 : family == "ip6" ? 6 : 0,
                                DefaultPolicy = hook is null ? null : Text(body, "policy") == "drop" ? PolicyAction.Drop : PolicyAction.Accept,
                                Priority = body.TryGetProperty("prio", out var prio) && prio.ValueKind == JsonValueKind.Number ? prio.GetInt32() : 0,
                                IsNat = HookPaths.IsNat(hook),
                            }));
                            break;
                        case "set" or "map":
                            var owner = sets.TryGetValue(table, out var found) ? found : sets[table] = new(StringComparer.Ordinal);
                            bool dynamic = body.TryGetProperty("flags", out var flags) && flags.ToString().Contains("dynamic", StringComparison.Ordinal)
                                           || body.TryGetProperty("timeout", out _);
                            bool listed = body.TryGetProperty("elem", out var elem);
                            // A set (or verdict map) listed without elements is empty, as the kernel holds it until something adds some.
                            bool empty = !listed && !dynamic && Text(body, "map") is null or "verdict";
                            if (empty) emptySets.Add(new EmptySet(Text(body, "name") ?? "", table, location, Text(body, "map") is not null));
                            owner[Text(body, "name") ?? ""] = dynamic ? null
                                : listed ? elem.EnumerateArray().Select(e => Value(e.ValueKind == JsonValueKind.Array ? e[0] : e)).ToList()
                                : emptySetsUnknown || !empty ? null : [];
                            if (Text(body, "map") == "verdict")
                                (maps.TryGetValue(table, out var ownMaps) ? ownMaps : maps[table] = new(StringComparer.Ordinal))[Text(body, "name") ?? ""] =
                                    dynamic ? null : listed ? VerdictElements(elem) : emptySetsUnknown ? null : [];
                            break;
                        case "rule":
                            string chainKey = $"{table} {Text(body, "chain")}";
                            var rule = new PolicyRuleBuilder(location, issues)
                            {
                                Comment = Text(body, "comment"), FamilyTable = table,
                                BeforeFilter = HookPaths.TranslatesBeforeFilter(chains.FirstOrDefault(c => c.Key == chainKey).Chain?.Hook),
                            };
                            if (Text(body, "family") == "ip") rule.Family = 4;
                            else if (Text(body, "family") == "ip6") rule.Family = 6;
                            var tableSets = sets.GetValueOrDefault(table) ?? new();
                            var tableMaps = maps.GetValueOrDefault(table) ?? new();
                            if (body.TryGetProperty("expr", out var expr))
                                foreach (var statement in expr.EnumerateArray())
                                    ReadStatement(rule, statement, tableSets, tableMaps);
                            (rules.TryGetValue(chainKey, out var list) ? list : rules[chainKey] = []).AddRange(NftVerdictMap.Rules(rule, tableSets));
                            break;
                        case "metainfo" or "table" or "counter" or "quota" or "limit" or "flowtable" or "ct helper" or "ct timeout"
                            or "ct expectation" or "synproxy" or "secmark":
                            break;
                        default:
                            issues.Add(location, property.Name, "table, chain, set, map or rule");
                            break;
                    }
                }
                catch (Exception e) when (IsShapeError(e))
                {
                    issues.Add(location, property.Name + " " + Compact(property.Value), "the shape nft -j writes");
                }
            }
        }
        var built = chains.Select(c => c.Chain with { Rules = PolicyRuleBuilder.BuildChain(c.Key, rules.GetValueOrDefault(c.Key) ?? []) }).ToList();
        var policy = HookPaths.Nftables(name ?? Path.GetFileName(file), file, PolicyFormat.NftJson, built, issues.All);
        return emptySets.Count == 0 || emptySetsUnknown ? policy
            : policy with { EmptySets = emptySets, IfSetsFilled = Parse(json, file, name, emptySetsUnknown: true) };
    }

    // The objects of the nftables array with the line each starts on, so that reports can point into the file.
    private static IEnumerable<(JsonElement Element, int Line)> Objects(string json, string file)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var found = new List<(JsonElement, int)>();
        try
        {
            JsonRulesetText.RefuseLoneSurrogates(bytes, file);
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            bool inArray = false;
            // Lines are counted on from the last object, not from the start for each: nft -j writes one line.
            int counted = 0, lines = 1;
            while (reader.Read())
            {
                if (!inArray)
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("nftables"))
                    {
                        reader.Read();
                        inArray = reader.TokenType == JsonTokenType.StartArray;
                    }
                    continue;
                }
                if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 1) break;
                int start = (int)reader.TokenStartIndex;
                lines += bytes.AsSpan(counted, start - counted).Count((byte)'\n');
                counted = start;
                found.Add((JsonElement.ParseValue(ref reader), lines));
            }
            if (!inArray) throw new InputException($"{file}: expected the output of nft -j list ruleset, an object with an \"nftables\" array");
        }
        catch (JsonException e)
        {
            throw new InputException($"{file}:{e.LineNumber + 1}: not JSON ({e.Message})", e);
        }
        return found;
    }

    // A statement of another shape than nft -j writes (a missing key, a string where an object was): found by tools/fuzz,
    // it threw out of the parser; it is a construct not understood, and the rule stays undecidable.
    private static void ReadStatement(PolicyRuleBuilder rule, JsonElement statement, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets,
        IReadOnlyDictionary<string, IReadOnlyList<NftVerdictElement>?> maps)
    {
        try
        {
            Statement(rule, statement, sets, maps);
        }
        catch (Exception e) when (IsShapeError(e))
        {
            rule.Unknown(Compact(statement), "a statement of the shape nft -j writes");
        }
    }

    // What JsonElement's accessors throw on a document of another shape.
    private static bool IsShapeError(Exception e) =>
        e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException or ArgumentException;

    private static void Statement(PolicyRuleBuilder rule, JsonElement statement, IReadOnlyDictionary<string, IReadOnlyList<string>?> sets,
        IReadOnlyDictionary<string, IReadOnlyList<NftVerdictElement>?> maps)
    {
        foreach (var property in statement.EnumerateObject())
        {
            var body = property.Value;
            switch (property.Name)
            {
                // A verdict, read as a verdict map's element is (NftVerdictMap.Verdict): one list of the words nft writes.
                case "accept" or "drop" or "reject" or "return" or "continue" or "jump" or "goto":
                    var (action, target) = NftVerdictMap.Verdict(property.Name is "jump" or "goto" ? [property.Name, Text(body, "target")!] : [property.Name])!.Value;
                    rule.Action = action;
                    if (target is not null) rule.Target = $"{rule.FamilyTable} {target}";
                    break;
                case "notrack":
                    rule.Untracked();
                    break;
                case "counter" or "log" or "mangle" or "ct expectation" or "meta" when property.Name != "meta" || body.TryGetProperty("value", out _):
                    break;
                case "limit":
                    rule.Undecidable("limit " + Compact(body));
                    break;
                case "flow" when body.ValueKind == JsonValueKind.Object && body.TryGetProperty("op", out var flowOp)
                                 && flowOp.ValueKind == JsonValueKind.String && flowOp.GetString() is "add" or "offload":
                    rule.OffloadsToFlowtable();
                    break;
                // One rule per element holds one map: a second in the rule (after a set on a concatenation) is not evaluated.
                case "vmap" when rule.VerdictMap is null && Selectors(body.GetProperty("key")) is { } mapSelectors
                                 && (body.GetProperty("data") is var data && data.ValueKind == JsonValueKind.String
                                     ? data.GetString()!.StartsWith('@') ? maps.GetValueOrDefault(data.GetString()![1..]) : null
                                     : data.TryGetProperty("set", out var elements) ? VerdictElements(elements) : null) is { } map:
                    // Statements may follow: a continue element goes on to them, the others end the rule here.
                    rule.BeforeMap = rule.Copy();
                    rule.VerdictMap = (mapSelectors, map);
                    break;
                case "dnat" or "snat" or "masquerade" or "redirect":
                    rule.Translate(property.Name, NatText(property.Name, body), NatTarget(body));
                    break;
                case "match":
                    string op = Text(body, "op") ?? "==";
                    var left = body.GetProperty("left");
                    // A mask over the connection status, {"&": [{"ct": {"key": "status"}}, "dnat"]}: a test of its flags.
                    if (left.ValueKind == JsonValueKind.Object && left.TryGetProperty("&", out var status) && status.ValueKind == JsonValueKind.Array
                        && status.GetArrayLength() == 2 && Selector(status[0]) == "ct status" && body.TryGetProperty("right", out var flags))
                    {
                        NftMatches.StatusMask(rule, op, Values(status[1]), Values(flags));
                        break;
                    }
                    if (left.ValueKind == JsonValueKind.Object && (left.TryGetProperty("&", out var masked) || left.TryGetProperty("|", out masked))
                        && masked.ValueKind == JsonValueKind.Array && Selector(masked[0]) == "tcp flags")
                    {
                        // A mask over TCP flags: understood, and not decided by a flow.
                        rule.RequireProtocol(Common.IpProtocol.Tcp);
                        rule.Undecidable("tcp flags " + Compact(body));
                        break;
                    }
                    // A set looked up on a concatenation: a verdict map of continue elements (NftVerdictMap.Membership).
                    if (op is "==" or "in" && left.ValueKind == JsonValueKind.Object && left.TryGetProperty("concat", out _)
                        && Selectors(left) is { } fields && body.TryGetProperty("right", out var keys)
                        && (keys.ValueKind == JsonValueKind.String || keys.ValueKind == JsonValueKind.Object && keys.TryGetProperty("set", out _)))
                    {
                        NftVerdictMap.Membership(rule, fields, Values(keys), sets, "match " + Compact(body));
                        break;
                    }
                    if (Selector(left) is not { } selector || !body.TryGetProperty("right", out var right))
                    {
                        rule.Unknown("match " + Compact(left), "a match on addresses, ports, protocol, ct state or interface");
                        break;
                    }
                    NftMatches.Apply(rule, selector, op, Values(right), sets,
                        right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out _));
                    break;
                default:
                    rule.Unknown(property.Name + " " + Compact(body), "a match, counter, log, limit or verdict");
                    rule.Action ??= PolicyAction.Unknown;
                    break;
            }
        }
    }

    // A verdict map's elements, [[KEY, {"jump": {"target": "x"}}], ...], a concatenated key as Value joins it: null when a
    // verdict is not one the text form reads.
    private static List<NftVerdictElement>? VerdictElements(JsonElement pairs)
    {
        if (pairs.ValueKind != JsonValueKind.Array) return null;
        var elements = new List<NftVerdictElement>();
        foreach (var pair in pairs.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 || pair[1].ValueKind != JsonValueKind.Object) return null;
            var key = pair[0].ValueKind == JsonValueKind.Object && pair[0].TryGetProperty("elem", out var elem) ? elem.GetProperty("val") : pair[0];
            var verdict = pair[1].EnumerateObject().FirstOrDefault();
            string[] words = verdict.Value.ValueKind == JsonValueKind.Object && Text(verdict.Value, "target") is { } target ? [verdict.Name, target] : [verdict.Name];
            if (NftVerdictMap.Verdict(words) is not { } read) return null;
            elements.Add(new NftVerdictElement(Value(key), read.Action, read.Target));
        }
        return elements;
    }

    // {"addr": "10.0.0.5", "port": 80}: "10.0.0.5:80", ":80" for a port alone, "[v6]:80"; null when either is an
    // expression (a map, a range), which is then not evaluated.
    private static string? NatTarget(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return null;
        string? address = body.TryGetProperty("addr", out var a) ? a.ValueKind == JsonValueKind.String ? a.GetString() : "(expression)" : null;
        string? port = body.TryGetProperty("port", out var p) ? p.ValueKind == JsonValueKind.Number ? p.GetRawText() : "(expression)" : null;
        if (address is null && port is null) return null;
        if (address == "(expression)" || port == "(expression)") return "(expression)";
        return address is null ? ":" + port : port is null ? address : address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";
    }

    // The translation as nft list ruleset writes it, "dnat ip to 10.0.0.5:80 random,persistent", "redirect to :8080",
    // "dnat ip to tcp dport map { 8087 : 10.0.0.1 }": a verdict and the report name it in the same words whichever
    // listing was read.
    private static string NatText(string kind, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return kind;
        string? address = body.TryGetProperty("addr", out var a) ? NatValue(a) : null;
        string? port = body.TryGetProperty("port", out var p) ? NatValue(p) : null;
        string? target = address is null ? port is null ? null : ":" + port
            : port is null ? address
            : a.ValueKind == JsonValueKind.String && address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";
        string? flags = !body.TryGetProperty("flags", out var f) ? null
            : f.ValueKind == JsonValueKind.Array ? string.Join(',', f.EnumerateArray().Select(Value)) : Value(f);
        return string.Join(' ', new[] { kind, Text(body, "family"), target is null ? null : "to " + target, flags }.Where(w => w is not null));
    }

    // A NAT target's address or port: a literal, a range, a prefix, or a map over a header field ("tcp dport map { 8087 :
    // 10.0.0.1 }", "... map @ports"); an expression nft -j writes otherwise is kept as JSON.
    private static string NatValue(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("map", out var map)) return Value(value);
        string key = map.TryGetProperty("key", out var k) ? Selector(k) ?? Compact(k) : "";
        if (!map.TryGetProperty("data", out var data)) return $"{key} map";
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("set", out var set) || set.ValueKind != JsonValueKind.Array)
            return $"{key} map {Value(data)}";
        var pairs = set.EnumerateArray().Select(pair => pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
            ? $"{Value(pair[0])} : {Value(pair[1])}" : Compact(pair));
        return $"{key} map {{ {string.Join(", ", pairs)} }}";
    }


    // One line, at most 120 characters: a report line, not the object.
    private static string Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) element.WriteTo(writer);
        string text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return text.Length <= 120 ? text : text[..117] + "...";
    }

    private static string? Selector(JsonElement left)
    {
        if (left.ValueKind != JsonValueKind.Object) return null;
        if (left.TryGetProperty("payload", out var payload) && Text(payload, "protocol") is { } protocol && Text(payload, "field") is { } field)
            return $"{protocol} {field}";
        if (left.TryGetProperty("meta", out var meta) && Text(meta, "key") is { } key)
            return key is "iifname" or "oifname" or "iif" or "oif" ? key : "meta " + key;
        if (left.TryGetProperty("ct", out var ct) && Text(ct, "key") is { } ctKey)
            return "ct " + ctKey;
        // {"fib": {"result": "type", "flags": ["daddr", "iif"]}}: "fib daddr . iif type", as the text writes it.
        if (left.TryGetProperty("fib", out var fib) && Text(fib, "result") is { } result && fib.TryGetProperty("flags", out var keys))
            return $"fib {(keys.ValueKind == JsonValueKind.Array ? string.Join(" . ", keys.EnumerateArray().Select(Value)) : Value(keys))} {result}";
        return null;
    }

    // The fields a map or set is looked up on: one, or those of a concatenation ({"concat": [...]}); null where one is
    // not a field Selector reads.
    private static List<string>? Selectors(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object || !key.TryGetProperty("concat", out var concat) || concat.ValueKind != JsonValueKind.Array)
            return Selector(key) is { } one ? [one] : null;
        var fields = new List<string>();
        foreach (var field in concat.EnumerateArray())
            if (Selector(field) is { } selector) fields.Add(selector);
            else return null;
        return fields;
    }

    private static List<string> Values(JsonElement right)
    {
        if (right.ValueKind == JsonValueKind.Array) return right.EnumerateArray().Select(Value).ToList();
        if (right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out var set))
            return set.ValueKind == JsonValueKind.Array ? set.EnumerateArray().Select(Value).ToList() : [Value(set)];
        return [Value(right)];
    }

    private static string Value(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String: return value.GetString()!;
            case JsonValueKind.Number: return value.GetRawText();
            case JsonValueKind.Object when value.TryGetProperty("prefix", out var prefix):
                return $"{Text(prefix, "addr")}/{prefix.GetProperty("len").GetInt32().ToString(CultureInfo.InvariantCulture)}";
            case JsonValueKind.Object when value.TryGetProperty("range", out var range):
                return $"{Value(range[0])}-{Value(range[1])}";
            case JsonValueKind.Object when value.TryGetProperty("elem", out var elem):
                return Value(elem.GetProperty("val"));
            // A concatenation's values as nft writes them, "10.0.0.2 . 80" (NftVerdictMap.Key).
            case JsonValueKind.Object when value.TryGetProperty("concat", out var concat) && concat.ValueKind == JsonValueKind.Array:
                return string.Join(NftVerdictMap.ConcatSeparator, concat.EnumerateArray().Select(Value));
            // A combination of flags as nft writes it, {"|": ["syn", "ack"]}: "syn | ack".
            case JsonValueKind.Object when value.TryGetProperty("|", out var flags) && flags.ValueKind == JsonValueKind.Array:
                return string.Join(" | ", flags.EnumerateArray().Select(Value));
            default:
                return value.GetRawText();
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}
