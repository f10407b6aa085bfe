using System.Globalization;

namespace PortAudit.Learn;

/// <summary>
/// Writes a group's fitted parameters for portaudit learn to read: "GROUP\tmean\tv1,v2,..." then one
/// "GROUP\tdirection\t..." line per principal direction; numbers round-trip ("R" format, invariant culture).
/// </summary>
public static class PcaParameters
{
    /// <summary>Writes <paramref name="fit"/> as the lines of <paramref name="group"/>.</summary>
    public static void Write(TextWriter output, string group, PcaFit fit)
    {
        output.WriteLine($"{group}\tmean\t{Join(fit.Mean)}");
        foreach (var direction in fit.Directions)
            output.WriteLine($"{group}\tdirection\t{Join(direction)}");
    }

    private static string Join(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
