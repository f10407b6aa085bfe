namespace PortAudit.Common;

/// <summary>
/// The "did you mean" of every error about a misspelt name (an option, a filter term, an application label): the
/// closest known name when it is close enough to be a typo.
/// </summary>
public static class Spelling
{
    /// <summary>
    /// The candidate closest to <paramref name="word"/> (ordinal, case-insensitive), if it is at most two edits away or a
    /// quarter of the word's length for longer words; else null.
    /// </summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        string lower = word.ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(lower, candidate.ToLowerInvariant());
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return best is not null && bestDistance <= Math.Max(2, word.Length / 4) ? best : null;
    }

    /// <summary>"did you mean NAME?" with a leading ": ", or nothing when no candidate is close.</summary>
    public static string Suggestion(string word, IEnumerable<string> candidates) =>
        Nearest(word, candidates) is { } name ? $": did you mean {name}?" : "";

    /// <summary>Edit distance with adjacent transpositions (optimal string alignment): "inventroy" is one edit from "inventory".</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        for (int j = 1; j <= b.Length; j++)
        {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
