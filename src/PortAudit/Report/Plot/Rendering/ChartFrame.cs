namespace PortAudit.Report.Plot;

/// <summary>What every chart has around its data: the root element, an accessible title, the heading, "No data".</summary>
internal static class ChartFrame
{
    /// <summary>Opens the root &lt;svg&gt;; the caller closes it with <see cref="SvgBuilder.End"/>.</summary>
    public static void Begin(SvgBuilder svg, double width, double height, string title, string kind)
    {
        svg.Start("svg")
            .Attr("xmlns", "http://www.w3.org/2000/svg")
            .Attr("width", width).Attr("height", height)
            .Attr("viewBox", $"0 0 {SvgBuilder.Number(width)} {SvgBuilder.Number(height)}")
            .Attr("role", "img")
            .Attr("class", "plot plot-" + kind)
            .Attr("font-family", ChartStyle.FontFamily)
            .Attr("font-size", ChartStyle.FontSize)
            .Attr("fill", ChartStyle.TextColor);
        svg.Title(title);
        svg.Start("rect").Attr("width", width).Attr("height", height).Attr("fill", "#ffffff").End();
        int maxChars = (int)((width - 24) / (ChartStyle.CharWidth * 14 / ChartStyle.FontSize));
        Label.Draw(svg, 12, 22, title, maxChars, cssClass: "chart-title", fontSize: 14);
    }

    public static void NoData(SvgBuilder svg, PlotArea area)
    {
        svg.Start("rect").Attr("x", area.Left).Attr("y", area.Top).Attr("width", area.Width).Attr("height", area.Height)
            .Attr("fill", "#fafafa").Attr("stroke", ChartStyle.GridColor).End();
        svg.Start("text").Attr("x", area.CenterX).Attr("y", area.CenterY).Attr("text-anchor", "middle")
            .Attr("class", "no-data").Attr("fill", ChartStyle.MutedTextColor).Text("No data").End();
    }
}
