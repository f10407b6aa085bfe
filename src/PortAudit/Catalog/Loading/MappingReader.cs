using YamlDotNet.RepresentationModel;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Reads the fields of one YAML mapping, reporting missing, misspelt and mistyped fields
/// against the node where they occur.
/// </summary>
internal sealed class MappingReader
{
    private readonly YamlMappingNode _node;
    private readonly string _file;
    private readonly ErrorList _errors;

    public MappingReader(YamlMappingNode node, string file, ErrorList errors, IReadOnlyCollection<string> knownKeys)
    {
        _node = node;
        _file = file;
        _errors = errors;
        foreach (var key in node.Children.Keys)
            if (key is YamlScalarNode { Value: { } name } && !knownKeys.Contains(name))
                errors.Add(SpotOf(key), $"unknown field '{name}' (expected one of: {string.Join(", ", knownKeys)})");
    }

    public SourceSpot Spot => SpotOf(_node);

    public SourceSpot SpotOf(YamlNode node) => SourceSpot.At(_file, node.Start);

    public YamlNode? Node(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>A scalar field; reports it when it is required and absent or not a scalar.</summary>
    public Located<string>? Text(string key, bool required)
    {
        var node = Node(key);
        if (node is null)
        {
            if (required)
                _errors.Add(Spot, $"missing field '{key}'");
            return null;
        }
        if (node is not YamlScalarNode { Value: { } value } || (required && value.Length == 0))
        {
            _errors.Add(SpotOf(node), $"field '{key}' must be a non-empty text value");
            return null;
        }
        return new Located<string>(value, SpotOf(node));
    }

    public bool Flag(string key, bool fallback)
    {
        var text = Text(key, required: false);
        if (text is null)
            return fallback;
        if (bool.TryParse(text.Value.Value, out bool value))
            return value;
        _errors.Add(text.Value.Spot, $"field '{key}' must be true or false, not '{text.Value.Value}'");
        return fallback;
    }

    /// <summary>A field that may hold one scalar or a list of scalars.</summary>
    /// <remarks>An array, not a list interface: calls through an interface over this value type are JIT-compiled at every start.</remarks>
    public Located<string>[] TextList(string key)
    {
        var node = Node(key);
        switch (node)
        {
            case null:
                return [];
            case YamlScalarNode scalar:
                return [new Located<string>(scalar.Value ?? "", SpotOf(scalar))];
            case YamlSequenceNode sequence:
                var items = new List<Located<string>>();
                foreach (var item in sequence)
                {
                    if (item is YamlScalarNode { Value: { } value })
                        items.Add(new Located<string>(value, SpotOf(item)));
                    else
                        _errors.Add(SpotOf(item), $"field '{key}' must list plain values");
                }
                return items.ToArray();
            default:
                _errors.Add(SpotOf(node), $"field '{key}' must be a value or a list of values");
                return [];
        }
    }

    /// <summary>A nested mapping, or null after reporting a wrong shape.</summary>
    public MappingReader? Mapping(string key, IReadOnlyCollection<string> knownKeys, bool required)
    {
        var node = Node(key);
        if (node is YamlMappingNode mapping)
            return new MappingReader(mapping, _file, _errors, knownKeys);
        if (node is not null || required)
            _errors.Add(node is null ? Spot : SpotOf(node), $"field '{key}' must be a mapping");
        return null;
    }

    /// <summary>The mappings of a list field such as <c>rules</c> or <c>roles</c>.</summary>
    public IEnumerable<YamlMappingNode> Items(string key)
    {
        var node = Node(key);
        if (node is not YamlSequenceNode sequence)
        {
            _errors.Add(node is null ? Spot : SpotOf(node), $"field '{key}' must be a list");
            yield break;
        }
        foreach (var item in sequence)
        {
            if (item is YamlMappingNode mapping)
                yield return mapping;
            else
                _errors.Add(SpotOf(item), $"each entry of '{key}' must be a mapping");
        }
    }
}
