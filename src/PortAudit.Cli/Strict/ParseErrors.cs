using System.CommandLine;

namespace PortAudit.Cli.Strict;

/// <summary>Turns a failed parse into the one line the CLI prints before exiting with code 2.</summary>
public static class ParseErrors
{
    /// <summary>
    /// The error to show, or null when the parse succeeded. An unknown option or command comes first, as the other errors are
    /// usually its consequences (a required option "missing" because it was misspelt); messages of several lines
    /// (System.CommandLine's own) are joined into one.
    /// </summary>
    public static string? Describe(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return null;
        var command = parse.CommandResult.Command;
        // A command of commands given a word that names none of them: the options after it are its consequences.
        if (command.Subcommands.Count > 0 && parse.UnmatchedTokens.FirstOrDefault() is { } unknown && !IsOptionLike(unknown))
            return UnknownCommands.Describe(command, unknown);
        if (parse.UnmatchedTokens.FirstOrDefault(IsOptionLike) is { } word)
            return UnknownOptions.Describe(command, word);
        var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith(UnknownOptions.Prefix, StringComparison.Ordinal)) ?? parse.Errors[0];
        return string.Join(' ', error.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static bool IsOptionLike(string token) => token.Length > 1 && token[0] == '-';
}
