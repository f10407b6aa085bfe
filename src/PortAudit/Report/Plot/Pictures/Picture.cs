namespace PortAudit.Report.Plot;

/// <summary>A chart built for the pictures, with the size it is drawn at (pixels in PNG, user units in SVG).</summary>
internal sealed record Picture(ScottPlot.Plot Plot, int Width, int Height);
