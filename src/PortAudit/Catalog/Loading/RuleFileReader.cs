using YamlDotNet.RepresentationModel;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Reads one rule file: a <c>product</c> and <c>sourceFile</c> shared by its rules, and the
/// <c>rules</c> list. Checks everything that can be checked inside the file alone.
/// </summary>
internal sealed class RuleFileReader
{
    private static readonly string[] FileKeys = ["product", "sourceFile", "rules"];
    private static readonly string[] RuleKeys =
        ["id", "product", "from", "to", "transport", "ports", "protocol", "required", "conditions", "dynamicRange", "notes", "source"];
    private static readonly string[] SourceKeys = ["file", "section", "row"];

    private readonly string _displayName;
    private readonly ErrorList _errors;

    public RuleFileReader(string displayName, ErrorList errors)
    {
        _displayName = displayName;
        _errors = errors;
    }

    public IReadOnlyList<RuleDraft> Read(string path)
    {
        var drafts = new List<RuleDraft>();
        var root = YamlDocumentReader.ReadRoot(path, _displayName, _errors);
        if (root is null)
            return drafts;
        var file = new MappingReader(root, _displayName, _errors, FileKeys);
        var product = file.Text("product", required: true)?.Value;
        var sourceFile = file.Text("sourceFile", required: false)?.Value;
        foreach (var node in file.Items("rules"))
        {
            var draft = ReadRule(new MappingReader(node, _displayName, _errors, RuleKeys), product, sourceFile);
            if (draft is not null)
                drafts.Add(draft);
        }
        return drafts;
    }

    private RuleDraft? ReadRule(MappingReader entry, string? fileProduct, string? fileSource)
    {
        int errorsBefore = _errors.Count;
        var id = entry.Text("id", required: true);
        var product = entry.Text("product", required: fileProduct is null)?.Value ?? fileProduct;
        var from = entry.Text("from", required: true);
        var to = entry.Text("to", required: true);
        var protocol = entry.Text("protocol", required: true);
        var transports = ReadTransports(entry);
        var ports = PortListReader.Read(entry.TextList("ports"), _errors);
        var conditions = entry.TextList("conditions");
        bool required = entry.Flag("required", fallback: true);
        bool dynamicRange = entry.Flag("dynamicRange", fallback: false);
        var notes = entry.Text("notes", required: false)?.Value ?? "";
        var source = ReadSource(entry, fileSource);

        if (id is { } idValue && !DefinitionReader.IsIdentifier(idValue.Value))
            _errors.Add(idValue.Spot, $"bad id '{idValue.Value}': use lower-case words joined by '-'");
        CheckPortsAgainstTransports(entry, transports, ports, dynamicRange);
        if (_errors.Count > errorsBefore)
            return null;

        var rule = new Rule
        {
            Id = id!.Value.Value,
            Product = product!,
            From = from!.Value.Value,
            To = to!.Value.Value,
            Transports = transports!,
            Ports = ports,
            Protocol = protocol!.Value.Value,
            Required = required,
            Conditions = conditions.Select(c => c.Value).ToArray(),
            DynamicRange = dynamicRange,
            Notes = notes.Trim(),
            Source = source!,
        };
        return new RuleDraft(rule, id.Value.Spot, from.Value.Spot, to.Value.Spot, conditions.Select(c => c.Spot).ToArray());
    }

    private IReadOnlyList<Transport>? ReadTransports(MappingReader entry)
    {
        var text = entry.Text("transport", required: true);
        if (text is not { } value)
            return null;
        if (TransportNames.TryParse(value.Value, out var transports))
            return transports;
        _errors.Add(value.Spot, $"unknown transport '{value.Value}' (expected tcp, udp, both, esp, ah or gre)");
        return null;
    }

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
        if (!needsPorts && entry.Node("ports") is { } node)
            _errors.Add(entry.SpotOf(node), $"transport {TransportNames.Name(transports)} has no ports; remove 'ports'");
        if (dynamicRange && ports.Count != 1 && entry.Node("dynamicRange") is { } flag)
            _errors.Add(entry.SpotOf(flag), "a dynamicRange rule must have exactly one port range");
    }

    private RuleSource? ReadSource(MappingReader entry, string? fileSource)
    {
        var source = entry.Mapping("source", SourceKeys, required: true);
        if (source is null)
            return null;
        var file = source.Text("file", required: fileSource is null)?.Value ?? fileSource;
        var section = source.Text("section", required: true);
        var row = source.Text("row", required: true);
        if (file is null || section is null || row is null)
            return null;
        return new RuleSource(file, section.Value.Value, row.Value.Value.Trim());
    }
}
