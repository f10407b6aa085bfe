using System.Globalization;

namespace PortAudit.Report.Plot;

/// <summary>
/// How an axis prints values of one <see cref="ValueUnit"/>: bytes are divided into the binary multiple that keeps
/// tick labels short (the multiple goes into the axis title), counts stay whole.
/// </summary>
internal sealed class UnitFormat
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB"];

    private UnitFormat(ValueUnit unit, double divisor, string? suffix)
    {
        Unit = unit;
        Divisor = divisor;
        Suffix = suffix;
    }

    public ValueUnit Unit { get; }

    /// <summary>Data values are divided by this before ticks are chosen.</summary>
    public double Divisor { get; }

    /// <summary>Multiple shown in the axis title, e.g. "MiB"; null for counts.</summary>
    public string? Suffix { get; }

    /// <summary>Counts have no fractional ticks.</summary>
    public bool Integral => Unit is ValueUnit.Packets or ValueUnit.Flows;

    /// <summary>The format that keeps the largest value (already undivided) below 1024 of its multiple.</summary>
    public static UnitFormat For(ValueUnit unit, double maxValue)
    {
        if (unit != ValueUnit.Bytes) return new UnitFormat(unit, 1, null);
        int power = 0;
        double scaled = Math.Abs(maxValue);
        while (scaled >= 1024 && power < ByteUnits.Length - 1) { scaled /= 1024; power++; }
        return new UnitFormat(unit, Math.Pow(1024, power), ByteUnits[power]);
    }

    /// <summary>"Bytes (MiB)", or the given title with the multiple, e.g. "Bytes per minute (KiB)".</summary>
    public string AxisTitle(string? title)
    {
        string name = title ?? Unit switch
        {
            ValueUnit.Bytes => "Bytes",
            ValueUnit.Packets => "Packets",
            ValueUnit.Flows => "Flows",
            _ => "Value",
        };
        return Suffix is null ? name : $"{name} ({Suffix})";
    }

    /// <summary>A tick value (already divided) with as many decimals as the step needs and thousands separators.</summary>
    public static string Tick(double value, double step) =>
        value.ToString("#,0." + new string('#', NiceTicks.Decimals(step)), CultureInfo.InvariantCulture);

    /// <summary>A value with its unit for tooltips and cells, e.g. "1.5 MiB", "12 flows".</summary>
    public static string Value(double value, ValueUnit unit)
    {
        if (unit == ValueUnit.Bytes)
        {
            var format = For(unit, value);
            return (value / format.Divisor).ToString("#,0.#", CultureInfo.InvariantCulture) + " " + format.Suffix;
        }
        string number = value.ToString("#,0.##", CultureInfo.InvariantCulture);
        return unit switch
        {
            ValueUnit.Packets => number + (value == 1 ? " packet" : " packets"),
            ValueUnit.Flows => number + (value == 1 ? " flow" : " flows"),
            _ => number,
        };
    }

    /// <summary>A short form for small spaces such as heatmap cells: 950, 1.2k, 34k, 5.6M.</summary>
    public static string Compact(double value)
    {
        double magnitude = Math.Abs(value);
        (double divisor, string suffix) = magnitude >= 1e9 ? (1e9, "G") : magnitude >= 1e6 ? (1e6, "M") : magnitude >= 1e3 ? (1e3, "k") : (1, "");
        double scaled = value / divisor;
        string format = divisor == 1 ? "0.#" : Math.Abs(scaled) < 10 ? "0.#" : "0";
        return scaled.ToString(format, CultureInfo.InvariantCulture) + suffix;
    }
}
