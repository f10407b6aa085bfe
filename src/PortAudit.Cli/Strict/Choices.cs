using System.CommandLine;
using PortAudit.Common;

namespace PortAudit.Cli.Strict;

/// <summary>
/// A word option with a fixed set of values (a format, a log format), with the old names kept as aliases: the parsed
/// value is always the canonical name, so commands compare against one set.
/// </summary>
public static class Choices
{
    /// <summary>
    /// The output format names every command shares: <c>table</c> for people, <c>json</c> (JSON Lines for flow
    /// records), <c>csv</c> and <c>tsv</c>; <c>text</c> and <c>jsonl</c>, the names of earlier versions, still parse.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FormatAliases = new Dictionary<string, string>
    {
        ["text"] = "table",
        ["jsonl"] = "json",
    };

    /// <summary>Restricts <paramref name="option"/> to <paramref name="names"/> (and their <paramref name="aliases"/>).</summary>
    public static Option<T> OneOf<T>(this Option<T> option, IReadOnlyList<string> names, IReadOnlyDictionary<string, string>? aliases = null)
        where T : class?
    {
        option.CompletionSources.Add(names.ToArray());
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return null;
            string text = result.Tokens[0].Value;
            if (names.Contains(text, StringComparer.Ordinal)) return (T)(object)text;
            if (aliases is not null && aliases.TryGetValue(text, out var name) && names.Contains(name, StringComparer.Ordinal)) return (T)(object)name;
            var known = aliases is null ? names : names.Concat(aliases.Keys);
            result.AddError($"{option.Name}: expected {Listing(names)}, not '{text}'{Spelling.Suggestion(text, known)}");
            return null;
        };
        return option;
    }

    /// <summary>"a, b or c".</summary>
    public static string Listing(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";
}
