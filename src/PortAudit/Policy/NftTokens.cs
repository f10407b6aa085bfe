namespace PortAudit.Policy;

/// <summary>Splits nftables text into tokens: words, quoted strings (kept with their quotes), braces, commas and semicolons.</summary>
internal static class NftTokens
{
    /// <summary>The tokens of <paramref name="text"/>; a '#' outside quotes starts a comment.</summary>
    public static List<string> Split(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#') break;
            if (c is '{' or '}' or ',' or ';' or '(' or ')' or '|')
            {
                tokens.Add(c.ToString());
                i++;
                continue;
            }
            if (c == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0) end = text.Length - 1;
                tokens.Add(text[i..(end + 1)]);
                i = end + 1;
                continue;
            }
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ',' or ';' or '"' or '(' or ')' or '|'))
                i++;
            tokens.Add(text[start..i]);
        }
        return tokens;
    }

    /// <summary>
    /// <paramref name="tokens"/> written back as nft list ruleset writes them: a comma ends the word before it, and is
    /// followed by a space inside braces, between set elements ("{ 80 : 10.0.0.1, 81 : 10.0.0.2 }"), and by none outside,
    /// between flags ("random,persistent").
    /// </summary>
    public static string Join(IReadOnlyList<string> tokens)
    {
        var text = new System.Text.StringBuilder();
        int depth = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            if (i > 0 && token != "," && !(tokens[i - 1] == "," && depth == 0)) text.Append(' ');
            text.Append(token);
            depth += token == "{" ? 1 : token == "}" ? -1 : 0;
        }
        return text.ToString();
    }

    /// <summary>Net brace depth of <paramref name="tokens"/>.</summary>
    public static int Depth(List<string> tokens) => tokens.Count(t => t == "{") - tokens.Count(t => t == "}");

    /// <summary>A quoted string without its quotes.</summary>
    public static string Unquote(string token) => token.Length >= 2 && token[0] == '"' ? token[1..^1] : token;
}
