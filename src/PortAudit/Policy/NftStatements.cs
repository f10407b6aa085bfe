namespace PortAudit.Policy;

/// <summary>
/// Splits nftables text into statements as <c>nft -f</c> reads them: a block's header with its opening brace
/// (<c>chain input {</c>), each statement up to a semicolon or the end of its line, and each closing brace of a block,
/// so that a chain written on one line (<c>chain x { type filter hook input priority 0; policy drop; tcp dport 22 accept; }</c>)
/// reads as the same chain listed over several. A brace that opens a set (<c>tcp dport { 22, 80 }</c>, <c>elements = {</c>)
/// is part of its statement, as are the semicolons and braces inside it; a statement whose set is still open at the end
/// of a line goes on at the next.
/// </summary>
internal sealed class NftStatements
{
    private static readonly HashSet<string> BlockKeywords = ["table", "chain", "set", "map", "counter", "quota", "flowtable", "limit", "synproxy", "secmark"];

    private readonly List<List<string>> _done = [];
    private List<string> _piece = [];
    private int _sets;

    /// <summary>True when a set is open: the statement goes on at the next line.</summary>
    public bool InSet => _sets > 0;

    /// <summary>Reads <paramref name="tokens"/>, the next line's.</summary>
    public void Add(List<string> tokens)
    {
        foreach (string token in tokens)
        {
            switch (token)
            {
                case "{" when _sets == 0 && IsBlockHeader(_piece):
                    _piece.Add(token);
                    End();
                    break;
                case "{":
                    _sets++;
                    _piece.Add(token);
                    break;
                case "}" when _sets > 0:
                    _sets--;
                    _piece.Add(token);
                    break;
                case "}":
                    End();
                    _piece.Add(token);
                    End();
                    break;
                case ";" when _sets == 0:
                    End();
                    break;
                default:
                    _piece.Add(token);
                    break;
            }
        }
    }

    /// <summary>The statements read, the last one ended at the end of the text read: each a non-empty list of tokens.</summary>
    public List<List<string>> Take()
    {
        End();
        var done = new List<List<string>>(_done);
        _done.Clear();
        _sets = 0;
        return done;
    }

    private void End()
    {
        if (_piece.Count == 0) return;
        _done.Add(_piece);
        _piece = [];
    }

    // "table inet f", "chain input", "set blocked", "ct helper ftp-standard": a keyword and a name, where a rule that
    // opens a set ("tcp dport {", "add rule inet f c ip saddr {") starts otherwise or is longer.
    private static bool IsBlockHeader(List<string> piece) => piece.Count switch
    {
        2 => BlockKeywords.Contains(piece[0]),
        3 => piece[0] == "table" || piece[0] == "ct" && piece[1] is "helper" or "timeout" or "expectation",
        _ => false,
    };
}
