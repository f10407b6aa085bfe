namespace PortAudit.Report.Plot;

/// <summary>Argument checks shared by the chart models, so bad data fails where it is built, not in the drawing.</summary>
internal static class Checks
{
    public static double Finite(double value, string name) =>
        double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "must be a finite number");

    public static IReadOnlyList<T> List<T>(IEnumerable<T>? items, string name)
    {
        ArgumentNullException.ThrowIfNull(items, name);
        var list = items.ToArray();
        if (list.Any(item => item is null)) throw new ArgumentException("must not contain null", name);
        return list;
    }
}
