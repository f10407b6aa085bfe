using System.CommandLine;
using PortAudit.Common;

namespace PortAudit.Cli.Strict;

/// <summary>
/// A word where a command was expected that names none: System.CommandLine says only "Required command was not
/// provided", so the message names the word and the command probably meant.
/// </summary>
public static class UnknownCommands
{
    /// <summary>"unknown command 'audti' for 'portaudit': did you mean audit? (see 'portaudit --help')".</summary>
    public static string Describe(Command command, string word)
    {
        string path = UnknownOptions.CommandPath(command);
        var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        return $"unknown command '{word}' for '{path}'{Spelling.Suggestion(word, names)} (see '{path} --help')";
    }
}
