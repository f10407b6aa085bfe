namespace PortAudit.Report.Plot;

/// <summary>One part of a bar, e.g. the bytes of one verdict on one port.</summary>
public sealed class BarSegment
{
    /// <param name="key">Legend text and colour key (a verdict name gets its fixed colour).</param>
    /// <param name="value">A finite, non-negative value.</param>
    public BarSegment(string key, double value)
    {
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Value = Checks.Finite(value, nameof(value)) >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "stacked segments must not be negative");
    }

    /// <summary>Legend text and colour key.</summary>
    public string Key { get; }

    /// <summary>The segment's length.</summary>
    public double Value { get; }
}

/// <summary>One bar: a labelled category (e.g. "tcp/5061") made of stacked segments.</summary>
public sealed class BarCategory
{
    /// <param name="label">Category label; long labels are shortened on the chart, with the full text as tooltip.</param>
    /// <param name="segments">Segments, stacked left to right in this order.</param>
    public BarCategory(string label, IEnumerable<BarSegment> segments)
    {
        Label = label ?? throw new ArgumentNullException(nameof(label));
        Segments = Checks.List(segments, nameof(segments));
    }

    /// <summary>Category label.</summary>
    public string Label { get; }

    /// <summary>Segments, stacked left to right.</summary>
    public IReadOnlyList<BarSegment> Segments { get; }

    /// <summary>The bar's whole length.</summary>
    public double Total => Segments.Sum(s => s.Value);
}

/// <summary>Horizontal stacked bars, e.g. bytes per port/protocol split by verdict.</summary>
public sealed class BarChart
{
    /// <param name="title">Heading drawn above the plot.</param>
    /// <param name="unit">What the values count.</param>
    /// <param name="categories">Bars, top to bottom.</param>
    /// <param name="valueTitle">Value axis title; the unit's name when null.</param>
    public BarChart(string title, ValueUnit unit, IEnumerable<BarCategory> categories, string? valueTitle = null)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        Unit = unit;
        Categories = Checks.List(categories, nameof(categories));
        ValueTitle = valueTitle;
    }

    /// <summary>Heading drawn above the plot.</summary>
    public string Title { get; }

    /// <summary>What the values count.</summary>
    public ValueUnit Unit { get; }

    /// <summary>Bars, top to bottom.</summary>
    public IReadOnlyList<BarCategory> Categories { get; }

    /// <summary>Value axis title; null for the unit's name.</summary>
    public string? ValueTitle { get; }
}
