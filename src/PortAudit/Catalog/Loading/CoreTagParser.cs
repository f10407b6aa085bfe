using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Passes YamlDotNet's events through with YAML's tags read the way the files mean them. <c>!!str</c> on a scalar,
/// <c>!!map</c> on a mapping, <c>!!seq</c> on a sequence and the non-specific <c>!</c> say what the node already is, and
/// are dropped: YamlDotNet compares mapping keys with their tags, so <c>!!str name:</c> was not the key <c>name</c>, and
/// a host written so read as missing its name. Any other tag (<c>!!binary</c>, <c>!!null</c>, <c>!!int</c>, a
/// program's own <c>!thing</c>), or a core tag on a node of another kind, would change what the node means, and nothing
/// here reads that: it is refused at its place (<see cref="YamlRefusedException"/>).
/// </summary>
internal sealed class CoreTagParser(IParser inner) : IParser
{
    private const string CoreTagPrefix = "tag:yaml.org,2002:";

    private ParsingEvent? _current;

    /// <inheritdoc />
    public ParsingEvent? Current => _current;

    /// <inheritdoc />
    public bool MoveNext()
    {
        bool moved = inner.MoveNext();
        _current = inner.Current is NodeEvent { Tag.IsEmpty: false } tagged ? Untagged(tagged) : inner.Current;
        return moved;
    }

    private static ParsingEvent Untagged(NodeEvent node) => node switch
    {
        Scalar scalar when Means(scalar.Tag, "str") =>
            new Scalar(scalar.Anchor, TagName.Empty, scalar.Value, scalar.Style,
                isPlainImplicit: scalar.Style == ScalarStyle.Plain, isQuotedImplicit: scalar.Style != ScalarStyle.Plain, scalar.Start, scalar.End),
        MappingStart mapping when Means(mapping.Tag, "map") =>
            new MappingStart(mapping.Anchor, TagName.Empty, isImplicit: true, mapping.Style, mapping.Start, mapping.End),
        SequenceStart sequence when Means(sequence.Tag, "seq") =>
            new SequenceStart(sequence.Anchor, TagName.Empty, isImplicit: true, sequence.Style, sequence.Start, sequence.End),
        _ => throw new YamlRefusedException(node.Start,
            $"YAML tag '{Shorthand(node.Tag)}' on {KindOf(node)} is not read here: values are plain text, mappings and lists; remove the tag"),
    };

    private static bool Means(TagName tag, string kind) => tag.Value == "!" || tag.Value == CoreTagPrefix + kind;

    private static string Shorthand(TagName tag) =>
        tag.Value.StartsWith(CoreTagPrefix, StringComparison.Ordinal) ? "!!" + tag.Value[CoreTagPrefix.Length..] : tag.Value;

    private static string KindOf(NodeEvent node) => node switch
    {
        MappingStart => "a mapping",
        SequenceStart => "a list",
        _ => "a value",
    };
}
