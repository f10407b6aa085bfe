using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>One plot of the report, kept apart for <c>--plots DIR</c>.</summary>
/// <param name="Name">A name unique within the report; <see cref="PlotFiles"/> turns it into a safe file name.</param>
/// <param name="Svg">The standalone SVG.</param>
public sealed record ReportPlot(string Name, string Svg);

/// <summary>
/// What the section renderers draw on: the page, the plot renderer behind its narrow interface, and the list of
/// plots drawn so far, so that every plot on the page can also be written as its own file.
/// </summary>
internal sealed class ReportCanvas(HtmlDocument page, IPlotRenderer renderer)
{
    private readonly List<ReportPlot> _plots = [];

    public HtmlDocument Page { get; } = page;

    public IPlotRenderer Renderer { get; } = renderer;

    public IReadOnlyList<ReportPlot> Plots => _plots;

    /// <summary>Embeds <paramref name="svg"/> as a figure and keeps it under <paramref name="name"/>.</summary>
    public void Figure(string name, string svg, string? caption = null)
    {
        Page.Figure(svg, caption);
        _plots.Add(new ReportPlot(name, svg));
    }
}
