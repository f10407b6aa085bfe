using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Passes YamlDotNet's events through while holding a file to limits that keep loading in bounded stack and
/// memory: nesting depth (the representation model recurses once per level), the nodes that aliases bring in
/// (an alias costs nothing to parse but is walked, and its errors reported, at every place it is used), and
/// the length of one value. Also remembers where the last good event ended, for errors without a position.
/// </summary>
internal sealed class BoundedParser(IParser inner) : IParser
{
    /// <summary>Deepest nesting of mappings and sequences allowed; real files use fewer than ten levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes all aliases of a file may bring in together.</summary>
    public const int MaxAliasNodes = 100_000;

    /// <summary>Longest value (scalar) allowed, in characters.</summary>
    public const int MaxScalarLength = 1 << 16;

    private readonly Dictionary<string, long> _anchorSizes = new(StringComparer.Ordinal);
    private readonly Stack<(string Anchor, int Depth, long NodesBefore)> _openAnchors = new();
    private int _depth;
    private long _nodes;
    private long _aliasNodes;

    /// <summary>End of the last event parsed.</summary>
    public Mark LastGood { get; private set; } = Mark.Empty;

    /// <inheritdoc />
    public ParsingEvent? Current => inner.Current;

    /// <inheritdoc />
    public bool MoveNext()
    {
        bool moved = inner.MoveNext();
        if (inner.Current is { } current)
        {
            Check(current);
            LastGood = current.End;
        }
        return moved;
    }

    private void Check(ParsingEvent current)
    {
        switch (current)
        {
            case NodeEvent { } start and (MappingStart or SequenceStart):
                if (++_depth > MaxDepth)
                    throw new YamlRefusedException(start.Start, $"nested deeper than {MaxDepth} levels (the YAML depth limit)");
                _nodes++;
                if (!start.Anchor.IsEmpty)
                    _openAnchors.Push((start.Anchor.Value, _depth, _nodes - 1));
                break;
            case MappingEnd or SequenceEnd:
                if (_openAnchors.TryPeek(out var open) && open.Depth == _depth)
                {
                    _openAnchors.Pop();
                    _anchorSizes[open.Anchor] = _nodes - open.NodesBefore;
                }
                _depth--;
                break;
            case Scalar scalar:
                if (scalar.Value.Length > MaxScalarLength)
                    throw new YamlRefusedException(scalar.Start,
                        $"a value of {scalar.Value.Length} characters is longer than {MaxScalarLength} (the YAML value length limit)");
                _nodes++;
                if (!scalar.Anchor.IsEmpty)
                    _anchorSizes[scalar.Anchor.Value] = 1;
                break;
            case AnchorAlias alias:
                long size = _anchorSizes.GetValueOrDefault(alias.Value.Value, 1);
                _nodes += size;
                _aliasNodes += size;
                if (_aliasNodes > MaxAliasNodes)
                    throw new YamlRefusedException(alias.Start,
                        $"aliases bring in more than {MaxAliasNodes} nodes (the YAML alias expansion limit)");
                break;
        }
    }
}

/// <summary>
/// A file crossed one of <see cref="BoundedParser"/>'s limits, or holds what <see cref="CoreTagParser"/> does not read;
/// loading stops there.
/// </summary>
internal sealed class YamlRefusedException(Mark start, string problem) : Exception(problem)
{
    /// <summary>Where the node that crossed the limit starts.</summary>
    public Mark Start { get; } = start;
}
