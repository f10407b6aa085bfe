namespace PortAudit.Pipeline.Filter;

/// <summary>
/// Splits a filter expression into tokens: words end at white space, parentheses, commas and the operators
/// <c>&amp;&amp;</c>, <c>||</c> and <c>!</c> (tcpdump's spellings of and, or, not), so <c>(port 53,5061)</c> needs no spaces.
/// </summary>
internal static class FilterLexer
{
    /// <summary>The tokens of <paramref name="expression"/>, ending with <see cref="FilterTokenKind.End"/>.</summary>
    /// <exception cref="FilterSyntaxException">A lone <c>&amp;</c> or <c>|</c>.</exception>
    public static List<FilterToken> Split(string expression)
    {
        var tokens = new List<FilterToken>();
        int i = 0;
        while (i < expression.Length)
        {
            char c = expression[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            int column = i + 1;
            switch (c)
            {
                case '(': tokens.Add(new(FilterTokenKind.Open, "(", column)); i++; continue;
                case ')': tokens.Add(new(FilterTokenKind.Close, ")", column)); i++; continue;
                case ',': tokens.Add(new(FilterTokenKind.Comma, ",", column)); i++; continue;
                case '!': tokens.Add(new(FilterTokenKind.Not, "!", column)); i++; continue;
                case '&' or '|':
                    if (i + 1 >= expression.Length || expression[i + 1] != c)
                        throw new FilterSyntaxException(column, $"'{c}' alone: write '{c}{c}' or '{(c == '&' ? "and" : "or")}'");
                    tokens.Add(new(c == '&' ? FilterTokenKind.And : FilterTokenKind.Or, new string(c, 2), column));
                    i += 2;
                    continue;
            }
            int start = i;
            while (i < expression.Length && !char.IsWhiteSpace(expression[i]) && !IsPunctuation(expression[i])) i++;
            string word = expression[start..i];
            var kind = word.ToLowerInvariant() switch
            {
                "and" => FilterTokenKind.And,
                "or" => FilterTokenKind.Or,
                "not" => FilterTokenKind.Not,
                _ => FilterTokenKind.Word,
            };
            tokens.Add(new(kind, word, column));
        }
        tokens.Add(new(FilterTokenKind.End, "", expression.Length + 1));
        return tokens;
    }

    private static bool IsPunctuation(char c) => c is '(' or ')' or ',' or '!' or '&' or '|';
}
