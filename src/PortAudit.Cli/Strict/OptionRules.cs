using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.CompilerServices;

namespace PortAudit.Cli.Strict;

/// <summary>
/// What an option accepts, declared where the option is made (<see cref="Accepts{T}(Option{T}, NumberRange)"/>,
/// <see cref="Choices"/>) and enforced for the whole command tree by <see cref="StrictOptions.Apply"/>. An option
/// that declares nothing still gets its type's default rule.
/// </summary>
public static class OptionRules
{
    private static readonly ConditionalWeakTable<Option, NumberRange> Ranges = new();

    /// <summary>Declares the range of a numeric option; returns it, for use in an initialiser.</summary>
    public static Option<T> Accepts<T>(this Option<T> option, NumberRange range)
    {
        Ranges.AddOrUpdate(option, range);
        return option;
    }

    /// <summary>The range declared for <paramref name="option"/>, else the default for whole or fractional numbers.</summary>
    internal static NumberRange RangeOf(Option option, bool whole, decimal typeMaximum) =>
        (Ranges.TryGetValue(option, out var declared) ? declared
            : whole ? NumberRange.Count(typeMaximum) : NumberRange.Positive).Within(typeMaximum);

    /// <summary>A parser that accepts only <paramref name="range"/>, with a one-line error naming the option.</summary>
    internal static Func<ArgumentResult, T?> NumberParser<T>(Option option, NumberRange range, Func<decimal, T> convert) => result =>
    {
        if (result.Tokens.Count == 0) return default;
        string text = result.Tokens[0].Value;
        if (range.TryParse(text, out decimal value)) return convert(value);
        result.AddError($"{option.Name}: expected {range.Describe()}, not '{text}'");
        return default;
    };
}
