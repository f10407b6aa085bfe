namespace PortAudit.Report.Plot;

/// <summary>Sizes shared by the chart renderers, so that all charts of a report look alike.</summary>
internal static class ChartStyle
{
    public const double Width = 800;
    public const double FontSize = 12;
    public const double SmallFontSize = 11;

    /// <summary>Rough advance of one character of the sans-serif font at <see cref="FontSize"/>; SVG cannot
    /// measure text before it is shown, and labels are shortened rather than overflowing.</summary>
    public const double CharWidth = 7;

    public const double TitleHeight = 32;
    public const string FontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";
    public const string AxisColor = "#444444";
    public const string GridColor = "#e3e3e3";
    public const string TextColor = "#222222";
    public const string MutedTextColor = "#666666";

    public static double TextWidth(string text, double fontSize = FontSize) => text.Length * CharWidth * fontSize / FontSize;
}
