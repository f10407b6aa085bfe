namespace PortAudit.Report.Plot;

/// <summary>The rectangle inside the axes where data is drawn, in SVG pixels.</summary>
internal readonly record struct PlotArea(double Left, double Top, double Width, double Height)
{
    public double Right => Left + Width;
    public double Bottom => Top + Height;
    public double CenterX => Left + Width / 2;
    public double CenterY => Top + Height / 2;
}
