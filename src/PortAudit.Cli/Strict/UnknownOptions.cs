using System.CommandLine;
using System.CommandLine.Parsing;
using PortAudit.Common;

namespace PortAudit.Cli.Strict;

/// <summary>
/// Words that look like options but name none. System.CommandLine hands such a word to a command's file argument
/// (<c>--plot DIR</c> would be read as two captures), so file arguments refuse them, and the message says which
/// option was probably meant.
/// </summary>
public static class UnknownOptions
{
    /// <summary>How every unknown-option message starts, so that it is reported before the errors it causes.</summary>
    public const string Prefix = "unknown option";

    /// <summary>Adds an error for the first value of <paramref name="result"/> that looks like an option.</summary>
    public static void RejectIn(ArgumentResult result, Command command)
    {
        // "-" is standard input; a file whose name starts with '-' can be given as ./-name.
        var word = result.Tokens.Select(t => t.Value).FirstOrDefault(v => v.Length > 1 && v[0] == '-');
        if (word is not null) result.AddError(Describe(command, word));
    }

    /// <summary>"unknown option '--plot' for 'portaudit audit': did you mean --plots? (see 'portaudit audit --help')".</summary>
    public static string Describe(Command command, string word)
    {
        string path = CommandPath(command);
        string guess = Nearest(command, word) is { } name ? $": did you mean {name}?" : "";
        return $"{Prefix} '{word}' for '{path}'{guess} (see '{path} --help')";
    }

    /// <summary>"portaudit audit": the command as typed, whatever the executable was called.</summary>
    public static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c && symbol is not RootCommand; symbol = symbol.Parents.FirstOrDefault())
            names.Insert(0, c.Name);
        names.Insert(0, "portaudit");
        return string.Join(' ', names);
    }

    // The closest option name of the command or its ancestors' recursive options, if close enough to be a typo.
    private static string? Nearest(Command command, string word) =>
        Spelling.Nearest(word.Split('=', 2)[0],
            Options(command).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)));

    private static IEnumerable<Option> Options(Command command)
    {
        foreach (var option in command.Options) yield return option;
        foreach (var parent in command.Parents.OfType<Command>())
            foreach (var option in Options(parent).Where(o => o.Recursive))
                yield return option;
    }
}
