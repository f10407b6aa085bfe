namespace PortAudit.Pipeline.Filter;

/// <summary>What a token of a filter expression is.</summary>
internal enum FilterTokenKind
{
    /// <summary>A keyword or a value: <c>port</c>, <c>10.0.0.0/8</c>, <c>5060-5061</c>.</summary>
    Word,
    /// <summary><c>(</c></summary>
    Open,
    /// <summary><c>)</c></summary>
    Close,
    /// <summary><c>,</c> between the values of a list.</summary>
    Comma,
    /// <summary><c>and</c> or <c>&amp;&amp;</c>.</summary>
    And,
    /// <summary><c>or</c> or <c>||</c>.</summary>
    Or,
    /// <summary><c>not</c> or <c>!</c>.</summary>
    Not,
    /// <summary>The end of the expression.</summary>
    End,
}

/// <summary>One token and the column (from 1) where it starts, for errors that point at it.</summary>
internal readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Column)
{
    /// <summary>How an error names the token: the word in quotes, or "the end".</summary>
    public string Shown => Kind == FilterTokenKind.End ? "the end" : $"'{Text}'";
}
