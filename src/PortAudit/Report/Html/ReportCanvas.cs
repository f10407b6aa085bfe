using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// What the section renderers draw on: the page, the plot renderer behind its narrow interface, and where each plot
/// also goes as a picture (<c>--plots DIR</c>), handed over as it is drawn so that no plot is kept after its section.
/// </summary>
/// <param name="page">The page.</param>
/// <param name="renderer">Draws the page's plots.</param>
/// <param name="pictures">Receives each plot's chart under its <see cref="PlotNames">name</see>; null to write none.</param>
internal sealed class ReportCanvas(HtmlDocument page, IPlotRenderer renderer, PictureFiles? pictures = null)
{
    public HtmlDocument Page { get; } = page;

    /// <summary>Embeds <paramref name="chart"/> as a figure and writes its picture under <paramref name="name"/>.</summary>
    public void Figure(string name, BarChart chart, string? caption = null)
    {
        Page.Figure(renderer.Render(chart), caption);
        pictures?.Write(name, chart);
    }

    /// <inheritdoc cref="Figure(string, BarChart, string?)"/>
    public void Figure(string name, Heatmap chart, string? caption = null)
    {
        Page.Figure(renderer.Render(chart), caption);
        pictures?.Write(name, chart);
    }

    /// <summary>Embeds views of one plot, one shown at a time (<see cref="HtmlDocument.Views"/>), and writes each view's picture under its name.</summary>
    public void Views(string group, IReadOnlyList<(string Label, string Name, TimeSeriesChart Chart)> views, string? caption = null)
    {
        Page.Views(group, views.Select(v => (v.Label, renderer.Render(v.Chart))).ToList(), caption);
        foreach (var view in views) pictures?.Write(view.Name, view.Chart);
    }
}
