using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// The blocks of an nftables text ruleset open at a point of the reading (table, chain, set, an object block skipped),
/// each with the line that opened it: a file that ends inside one was cut short and is refused, as <c>nft -f</c> refuses
/// it, rather than read as the rules before the cut with the policy of a chain whose rules are missing.
/// </summary>
internal sealed class NftBlocks
{
    /// <summary>
    /// The deepest nesting read: a ruleset nests three levels (table, chain or object, an inline set); thousands of nested
    /// <c>table {</c> are no ruleset.
    /// </summary>
    public const int MaxNesting = 16;

    private readonly List<(string Opened, PolicyLocation Location)> _open = [];

    /// <summary>How many blocks are open.</summary>
    public int Depth => _open.Count;

    /// <summary>True once a table has been opened: a ruleset with none filters nothing.</summary>
    public bool SawTable { get; private set; }

    /// <summary>Records a block opened by <paramref name="tokens"/> at <paramref name="location"/>.</summary>
    /// <exception cref="InputException">The blocks nest deeper than <see cref="MaxNesting"/>.</exception>
    public void Open(IEnumerable<string> tokens, PolicyLocation location)
    {
        string opened = string.Join(' ', tokens);
        if (_open.Count >= MaxNesting)
            throw new InputException($"{location}: {Shown(opened)} nests blocks deeper than {MaxNesting} levels (an nftables ruleset nests three: table, chain, set); the outermost opened at line {_open[0].Location.Line}");
        SawTable |= opened.StartsWith("table ", StringComparison.Ordinal);
        _open.Add((opened, location));
    }

    /// <summary>Records a table named by a command outside any block (<c>add rule inet f input ...</c>).</summary>
    public void NameTable() => SawTable = true;

    /// <summary>Records the innermost block closed at <paramref name="location"/>.</summary>
    /// <exception cref="InputException">No block is open: the brace closes nothing.</exception>
    public void Close(PolicyLocation location)
    {
        if (_open.Count == 0) throw new InputException($"{location}: '}}' closes no block (the braces of the ruleset do not balance)");
        _open.RemoveAt(_open.Count - 1);
    }

    /// <summary>Checks the end of <paramref name="file"/>: every block closed, and a table read.</summary>
    /// <exception cref="InputException">The file ends inside a block, or holds no table.</exception>
    public void End(string file)
    {
        if (_open.Count > 0)
        {
            var (opened, location) = _open[^1];
            string enclosing = _open.Count == 1 ? "" : $", inside {_open.Count - 1} more opened from line {_open[0].Location.Line}";
            throw new InputException($"{location}: {Shown(opened)} is never closed: the file ends inside it{enclosing} (a ruleset cut short; nft -f refuses it)");
        }
        if (!SawTable)
            throw new InputException($"{file}: no table in the ruleset: with no table it would allow everything; give the output of nft list ruleset");
    }

    // A line that opens a block is short in a ruleset; a hostile one is not repeated whole in a message.
    private static string Shown(string opened) => "'" + (opened.Length <= 80 ? opened : opened[..77] + "...") + "'";
}
