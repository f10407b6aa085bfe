using PortAudit.Common;
using YamlDotNet.RepresentationModel;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Reads one rule file: a <c>product</c> and <c>sourceFile</c> shared by its rules, and the
/// <c>rules</c> list. Checks everything that can be checked inside the file alone. A site's own rule file
/// (<c>--local-rules</c>) needs no <c>product</c> or <c>source</c>: its rules cite their file and line.
/// </summary>
internal sealed class RuleFileReader
{
    private static readonly string[] FileKeys = ["product", "sourceFile", "document", "rules"];
    private static readonly string[] RuleKeys =
        ["id", "product", "from", "to", "transport", "ports", "protocol", "required", "conditions", "unless", "oneOf", "dynamicRange", "rpc", "every",
         "interfaces", "external",
         "notes", "source", "port", "icmp", "serverNames"];

    /// <summary>The endpoint mapper's port: where the <c>rpc</c> shorthand's first rule listens.</summary>
    private const int EndpointMapperPort = 135;
    private static readonly string[] SourceKeys = ["file", "section", "row"];

    /// <summary>The product of a site rule that names none.</summary>
    public const string SiteProduct = "site";

    private readonly string _displayName;
    private readonly ErrorList _errors;
    private readonly bool _local;
    // The source document's title, as people cite it (the file's "document"): what reports show instead of the seed's name.
    private string? _document;

    public RuleFileReader(string displayName, ErrorList errors, bool local = false)
    {
        _displayName = displayName;
        _errors = errors;
        _local = local;
    }

    public IReadOnlyList<RuleDraft> Read(string path)
    {
        var drafts = new List<RuleDraft>();
        var root = YamlDocumentReader.ReadRoot(path, _displayName, _errors);
        if (root is null)
            return drafts;
        var file = new MappingReader(root, _displayName, _errors, FileKeys);
        var product = file.Text("product", required: !_local)?.Value ?? (_local ? SiteProduct : null);
        var sourceFile = file.Text("sourceFile", required: false)?.Value;
        _document = file.Text("document", required: false)?.Value;
        foreach (var node in file.Items("rules"))
        {
            drafts.AddRange(ReadRule(new MappingReader(node, _displayName, _errors, RuleKeys), product, sourceFile));
        }
        return drafts;
    }

    private IEnumerable<RuleDraft> ReadRule(MappingReader entry, string? fileProduct, string? fileSource)
    {
        int errorsBefore = _errors.Count;
        var id = entry.Text("id", required: true);
        var product = entry.Text("product", required: fileProduct is null)?.Value ?? fileProduct;
        var from = ReadSide(entry, "from");
        var to = ReadSide(entry, "to");
        var rpc = entry.Text("rpc", required: false);
        // An ICMP rule's protocol is ICMP itself, whatever it carries: no inspector labels it, so it may go unsaid.
        var protocol = rpc is null ? entry.Text("protocol", required: !NamesIcmp(entry)) : null;
        var transports = rpc is null ? ReadTransports(entry) : null;
        var icmp = IcmpListReader.Read(entry, transports, _errors);
        var serverNames = ServerNameListReader.Read(entry, _errors);
        var ports = rpc is null ? PortListReader.Read(ReadPorts(entry), _errors) : [];
        var conditions = entry.TextList("conditions");
        var unless = entry.TextList("unless");
        var oneOf = entry.Text("oneOf", required: false);
        bool required = entry.Flag("required", fallback: true);
        bool dynamicRange = entry.Flag("dynamicRange", fallback: false);
        var notes = entry.Text("notes", required: false)?.Value ?? "";
        var every = ReadEvery(entry);
        var interfaces = ReadInterfaces(entry);
        bool publishedOnly = ReadExternal(entry, from);
        var source = ReadSource(entry, fileSource);

        if (id is { } idValue && !DefinitionReader.IsIdentifier(idValue.Value))
            _errors.Add(idValue.Spot, $"bad id '{idValue.Value}': use lower-case words joined by '-'");
        if (oneOf is { } group && !DefinitionReader.IsIdentifier(group.Value))
            _errors.Add(group.Spot, $"bad oneOf group '{group.Value}': use lower-case words joined by '-'");
        PortRange dynamic = default;
        if (rpc is { } rpcText)
            CheckRpcShorthand(entry, rpcText, out dynamic);
        else
            CheckPortsAgainstTransports(entry, transports, ports, dynamicRange);
        if (_errors.Count > errorsBefore)
            yield break;

        var rule = new Rule
        {
            Id = id!.Value.Value,
            Product = product!,
            From = new RuleSide(LocatedTexts.Values(from)),
            To = new RuleSide(LocatedTexts.Values(to)),
            Transports = transports ?? [Transport.Tcp],
            Ports = ports,
            Icmp = icmp,
            ServerNames = serverNames,
            Protocol = protocol?.Value ?? (transports is [var only] && TransportNames.IsIcmp(only) ? TransportNames.Name(only) : ""),
            Required = required,
            Conditions = LocatedTexts.Values(conditions),
            Unless = LocatedTexts.Values(unless),
            OneOf = oneOf?.Value,
            Every = every,
            Interfaces = interfaces,
            PublishedOnly = publishedOnly,
            DynamicRange = dynamicRange,
            Notes = notes.Trim(),
            Source = source!,
        };
        SourceSpot[] features = [.. LocatedTexts.Spots(conditions), .. LocatedTexts.Spots(unless)];
        var sides = (From: LocatedTexts.Spots(from), To: LocatedTexts.Spots(to));
        if (rpc is { } shorthand)
        {
            // "rpc: RANGE" is the two steps of every DCE/RPC service: the endpoint mapper on TCP 135, then the port it hands out.
            yield return new RuleDraft(rule with { Id = rule.Id + "-epm", Ports = [new PortRange(EndpointMapperPort, EndpointMapperPort)], Protocol = "epm" },
                id.Value.Spot, sides.From, sides.To, shorthand.Spot, features);
            yield return new RuleDraft(rule with { Id = rule.Id + "-dynamic", Ports = [dynamic], Protocol = "dcerpc-dynamic", DynamicRange = true },
                id.Value.Spot, sides.From, sides.To, shorthand.Spot, features);
            yield break;
        }
        yield return new RuleDraft(rule, id.Value.Spot, sides.From, sides.To, protocol?.Spot ?? id.Value.Spot, features);
    }

    private IReadOnlyList<RpcGrant>? ReadInterfaces(MappingReader entry)
    {
        if (entry.Node("interfaces") is null)
            return null;
        var grants = new List<RpcGrant>();
        foreach (var text in entry.TextList("interfaces"))
        {
            if (RpcGrant.TryParse(text.Value, out var grant, out var problem)) grants.Add(grant);
            else _errors.Add(text.Spot, problem);
        }
        return grants;
    }

    private TimeSpan? ReadEvery(MappingReader entry)
    {
        if (entry.Text("every", required: false) is not { } text)
            return null;
        if (DurationText.TryParse(text.Value, out var span) && span > TimeSpan.Zero)
            return span;
        _errors.Add(text.Spot, $"bad duration '{text.Value}' for 'every': a positive number of seconds, or with s, m, h or d (e.g. 90m)");
        return null;
    }

    /// <summary>The only value of <c>external</c> today: external clients reach the service where the inventory publishes it.</summary>
    private const string ExternalPublished = "published";

    // "external: published" marks a listener row; it means something only when a wildcard could admit external clients.
    private bool ReadExternal(MappingReader entry, Located<string>[] from)
    {
        if (entry.Text("external", required: false) is not { } text)
            return false;
        if (text.Value != ExternalPublished)
        {
            _errors.Add(text.Spot, $"bad value '{text.Value}' for 'external': the only value is '{ExternalPublished}' (leave it out for rules written for the Internet)");
            return false;
        }
        if (!from.Any(side => RuleSide.IsWildcard(side.Value)))
            _errors.Add(text.Spot, "'external: published' needs a wildcard (any, any@ZONE) in 'from': only a wildcard admits external clients");
        return true;
    }

    private Located<string>[] ReadSide(MappingReader entry, string key)
    {
        var selectors = entry.TextList(key);
        if (selectors.Length == 0)
            _errors.Add(entry.Node(key) is { } node ? entry.SpotOf(node) : entry.Spot,
                entry.Node(key) is null ? $"missing field '{key}'" : $"field '{key}' lists no role");
        return selectors;
    }

    private void CheckRpcShorthand(MappingReader entry, Located<string> rpc, out PortRange dynamic)
    {
        dynamic = default;
        foreach (var key in new[] { "transport", "ports", "port", "protocol", "dynamicRange", "icmp" })
            if (entry.Node(key) is { } node)
                _errors.Add(entry.SpotOf(node), $"'{key}' cannot be combined with 'rpc' (it stands for TCP 135 and the dynamic range)");
        if (!PortRange.TryParse(rpc.Value, out dynamic, out var problem))
            _errors.Add(rpc.Spot, $"rpc: {problem}");
    }

    private IReadOnlyList<Transport>? ReadTransports(MappingReader entry)
    {
        var text = entry.Text("transport", required: true);
        if (text is not { } value)
            return null;
        if (TransportNames.TryParse(value.Value, out var transports))
            return transports;
        _errors.Add(value.Spot, $"unknown transport '{value.Value}'{Spelling.Suggestion(value.Value, TransportNames.Keywords)}" +
                                $" (expected {string.Join(", ", TransportNames.Keywords.SkipLast(1))} or {TransportNames.Keywords[^1]})");
        return null;
    }

    private static bool NamesIcmp(MappingReader entry) =>
        entry.Node("transport") is YamlScalarNode { Value: { } text }
        && TransportNames.TryParse(text, out var transports) && transports.All(TransportNames.IsIcmp);

    private void CheckPortsAgainstTransports(
        MappingReader entry, IReadOnlyList<Transport>? transports, IReadOnlyList<PortRange> ports, bool dynamicRange)
    {
        if (transports is null)
            return;
        bool needsPorts = TransportNames.HasPorts(transports[0]);
        if (needsPorts && ports.Count == 0 && entry.Node("ports") is null)
            _errors.Add(entry.Spot, $"missing field 'ports' (required for transport {TransportNames.Name(transports)})");
        // "ports: []" would make a rule that allows nothing yet reads as if it allowed something.
        if (needsPorts && entry.Node("ports") is YamlSequenceNode { Children.Count: 0 } empty)
            _errors.Add(entry.SpotOf(empty), $"field 'ports' is empty: transport {TransportNames.Name(transports)} needs at least one port or range");
        // "port" is the alias a site rule may use: refused here as "ports" is.
        if (!needsPorts && (entry.Node("ports") ?? entry.Node("port")) is { } node)
            _errors.Add(entry.SpotOf(node), $"transport {TransportNames.Name(transports)} has no ports; remove '{(entry.Node("ports") is null ? "port" : "ports")}'");
        if (dynamicRange && ports.Count != 1 && entry.Node("dynamicRange") is { } flag)
            _errors.Add(entry.SpotOf(flag), "a dynamicRange rule must have exactly one port range");
    }

    // "ports", or "port" as people write one (a site rule's words): never both.
    private Located<string>[] ReadPorts(MappingReader entry)
    {
        var ports = entry.TextList("ports");
        var port = entry.TextList("port");
        if (ports.Length > 0 && port.Length > 0)
            _errors.Add(port[0].Spot, "both 'ports' and 'port': give one");
        return ports.Length > 0 ? ports : port;
    }

    private RuleSource? ReadSource(MappingReader entry, string? fileSource)
    {
        if (_local && entry.Node("source") is null)
            return RuleSource.Site(_displayName, entry.Spot.Line);
        var source = entry.Mapping("source", SourceKeys, required: true);
        if (source is null)
            return null;
        var file = source.Text("file", required: fileSource is null)?.Value ?? fileSource;
        var section = source.Text("section", required: true);
        var row = source.Text("row", required: true);
        if (file is null || section is null || row is null)
            return null;
        return new RuleSource(file, section.Value.Value, row.Value.Value.Trim()) { Document = _document };
    }
}
