namespace PortAudit.Report.Plot;

/// <summary>
/// The built-in <see cref="IPlotRenderer"/>: hand-written SVG, deterministic (the same data gives the same bytes),
/// culture-independent, with every label escaped. Output has no script, no external reference and no element ids,
/// so several plots can sit inline in one HTML page.
/// </summary>
public sealed class SvgPlotRenderer : IPlotRenderer
{
    /// <inheritdoc />
    public string Render(TimeSeriesChart chart) => TimeSeriesRenderer.Render(chart ?? throw new ArgumentNullException(nameof(chart)));

    /// <inheritdoc />
    public string Render(BarChart chart) => BarChartRenderer.Render(chart ?? throw new ArgumentNullException(nameof(chart)));

    /// <inheritdoc />
    public string Render(Heatmap chart) => HeatmapRenderer.Render(chart ?? throw new ArgumentNullException(nameof(chart)));
}
