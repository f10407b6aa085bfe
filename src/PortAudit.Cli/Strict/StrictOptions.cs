using System.CommandLine;
using System.CommandLine.Parsing;

namespace PortAudit.Cli.Strict;

/// <summary>
/// Makes a whole command tree strict, once, after it is built: every numeric option parses with a range (declared by
/// <see cref="OptionRules.Accepts{T}"/>, else its type's default) and every file argument refuses words that look like
/// options. Applied to the tree rather than option by option, so that an option a command adds later is checked
/// without anyone remembering to: all of it happens while parsing, before a command reads any input.
/// </summary>
public static class StrictOptions
{
    /// <summary>Installs the checks on <paramref name="command"/> and everything below it.</summary>
    public static void Apply(Command command)
    {
        foreach (var option in command.Options) Install(option);
        foreach (var argument in command.Arguments)
        {
            if (argument.ValueType == typeof(string) || argument.ValueType == typeof(string[]))
                argument.Validators.Add(result => UnknownOptions.RejectIn(result, command));
        }
        for (int i = 0; i < command.Validators.Count; i++) command.Validators[i] = AfterValues(command.Validators[i]);
        foreach (var subcommand in command.Subcommands) Apply(subcommand);
    }

    // A check that combines options reads their values, which throws for a value already refused: that value's own
    // error is the one to report, so the combined check has nothing to add.
    private static Action<CommandResult> AfterValues(Action<CommandResult> validator) => result =>
    {
        try
        {
            validator(result);
        }
        catch (InvalidOperationException)
        {
        }
    };

    // The numeric types the CLI uses; an option with its own parser keeps it.
    private static void Install(Option option)
    {
        switch (option)
        {
            case Option<int> o: o.CustomParser ??= OptionRules.NumberParser(o, OptionRules.RangeOf(o, true, int.MaxValue), v => (int)v); break;
            case Option<int?> o: o.CustomParser ??= OptionRules.NumberParser<int?>(o, OptionRules.RangeOf(o, true, int.MaxValue), v => (int)v); break;
            case Option<long> o: o.CustomParser ??= OptionRules.NumberParser(o, OptionRules.RangeOf(o, true, long.MaxValue), v => (long)v); break;
            case Option<long?> o: o.CustomParser ??= OptionRules.NumberParser<long?>(o, OptionRules.RangeOf(o, true, long.MaxValue), v => (long)v); break;
            case Option<double> o: o.CustomParser ??= OptionRules.NumberParser(o, OptionRules.RangeOf(o, false, decimal.MaxValue), v => (double)v); break;
            case Option<double?> o: o.CustomParser ??= OptionRules.NumberParser<double?>(o, OptionRules.RangeOf(o, false, decimal.MaxValue), v => (double)v); break;
        }
    }
}
