using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// What the section renderers draw on: the page, the plot renderer behind its narrow interface, and where each plot
/// goes besides the page (<c>--plots DIR</c>), handed over as it is drawn so that no plot is kept after its section.
/// </summary>
/// <param name="page">The page.</param>
/// <param name="renderer">Draws the plots.</param>
/// <param name="keep">Receives each plot with a name unique within the report (<see cref="PlotFiles"/> turns it into a safe file name); null to keep none.</param>
internal sealed class ReportCanvas(HtmlDocument page, IPlotRenderer renderer, Action<string, string>? keep = null)
{
    public HtmlDocument Page { get; } = page;

    public IPlotRenderer Renderer { get; } = renderer;

    /// <summary>Embeds <paramref name="svg"/> as a figure and keeps it under <paramref name="name"/>.</summary>
    public void Figure(string name, string svg, string? caption = null)
    {
        Page.Figure(svg, caption);
        keep?.Invoke(name, svg);
    }

    /// <summary>Embeds views of one plot, one shown at a time (<see cref="HtmlDocument.Views"/>), and keeps each under its name.</summary>
    public void Views(string group, IReadOnlyList<(string Label, string Name, string Svg)> views, string? caption = null)
    {
        Page.Views(group, views.Select(v => (v.Label, v.Svg)).ToList(), caption);
        foreach (var view in views) keep?.Invoke(view.Name, view.Svg);
    }
}
