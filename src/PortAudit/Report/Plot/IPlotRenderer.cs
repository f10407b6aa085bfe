namespace PortAudit.Report.Plot;

/// <summary>
/// Turns chart data into a standalone SVG document (no external references, no script). The report depends only on
/// this and on the data models, so a plotting library can replace <see cref="SvgPlotRenderer"/> behind it.
/// </summary>
public interface IPlotRenderer
{
    /// <summary>Values over time as lines or stacked bands, with a legend.</summary>
    string Render(TimeSeriesChart chart);

    /// <summary>Horizontal stacked bars, with a legend.</summary>
    string Render(BarChart chart);

    /// <summary>A labelled matrix of coloured, optionally linked cells, with a legend of the colour keys.</summary>
    string Render(Heatmap chart);
}
