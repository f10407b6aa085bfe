using System.Globalization;

namespace PortAudit.Cli.Strict;

/// <summary>
/// The values a numeric option accepts: whole or not, and its bounds. Parsed as <see cref="decimal"/>, which has no
/// NaN or infinity and holds every long exactly, so one parser serves int, long and double options alike.
/// </summary>
/// <param name="Minimum">Smallest value accepted (or just above it, with <paramref name="ExclusiveMinimum"/>).</param>
/// <param name="ExclusiveMinimum">True when <paramref name="Minimum"/> itself is refused.</param>
/// <param name="Maximum">Largest value accepted.</param>
/// <param name="Whole">True for a count: no fraction.</param>
/// <param name="Unit">What the number counts ("seconds", "MB"), for the message; empty when plain.</param>
public sealed record NumberRange(decimal Minimum, bool ExclusiveMinimum, decimal Maximum, bool Whole, string Unit = "")
{
    /// <summary>The default for a whole-number option: a count from 1 to <paramref name="maximum"/>.</summary>
    public static NumberRange Count(decimal maximum) => new(1, false, maximum, Whole: true);

    /// <summary>
    /// The default for a fractional option: above 0 and at most 10^9 (31 years of seconds, a petabyte of MB), as every
    /// such option is a duration or a size that must stay representable as a <see cref="TimeSpan"/> or byte count.
    /// </summary>
    public static readonly NumberRange Positive = new(0, true, 1_000_000_000, Whole: false);

    /// <summary>A duration option: <see cref="Positive"/>, in seconds.</summary>
    public static readonly NumberRange Seconds = Positive with { Unit = "seconds" };

    /// <summary>A wait that may be none: 0 to 10^9 seconds.</summary>
    public static readonly NumberRange Wait = Seconds with { ExclusiveMinimum = false };

    /// <summary>A TCP or UDP port, 1 to 65535.</summary>
    public static readonly NumberRange Port = new(1, false, 65535, Whole: true, Unit: "a port");

    /// <summary>The same range with its maximum lowered to what the option's type holds.</summary>
    public NumberRange Within(decimal typeMaximum) => Maximum <= typeMaximum ? this : this with { Maximum = typeMaximum };

    /// <summary>Parses invariant-culture text; false for anything else, NaN, infinity or a value out of range.</summary>
    public bool TryParse(string text, out decimal value)
    {
        var styles = Whole ? NumberStyles.AllowLeadingSign : NumberStyles.Float;
        return decimal.TryParse(text, styles, CultureInfo.InvariantCulture, out value)
               && (!Whole || decimal.Truncate(value) == value)
               && (ExclusiveMinimum ? value > Minimum : value >= Minimum)
               && value <= Maximum;
    }

    /// <summary>"a whole number from 1 to 2147483647", "seconds above 0, at most 1000000000".</summary>
    public string Describe()
    {
        string what = Unit.Length > 0 ? Unit : Whole ? "a whole number" : "a number";
        string low = ExclusiveMinimum ? $"above {Minimum.ToString(CultureInfo.InvariantCulture)}" : $"from {Minimum.ToString(CultureInfo.InvariantCulture)}";
        string high = ExclusiveMinimum ? $", at most {Maximum.ToString(CultureInfo.InvariantCulture)}" : $" to {Maximum.ToString(CultureInfo.InvariantCulture)}";
        return $"{what} {low}{high}";
    }
}
