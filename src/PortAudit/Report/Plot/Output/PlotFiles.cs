using System.Text;

namespace PortAudit.Report.Plot;

/// <summary>Writes plots as standalone .svg files, for <c>--plots DIR</c>.</summary>
public static class PlotFiles
{
    /// <summary>
    /// Writes <paramref name="svg"/> to <c>DIR/NAME.svg</c>, creating the directory. The name is reduced to a safe file
    /// name (it may come from role names), so a plot can never be written outside <paramref name="directory"/>.
    /// </summary>
    /// <returns>The path written.</returns>
    /// <exception cref="ArgumentException"><paramref name="svg"/> is not a safe SVG document (<see cref="SvgSafety"/>).</exception>
    public static string Write(string directory, string name, string svg)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(name);
        SvgSafety.Require(svg);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName(name) + ".svg");
        File.WriteAllText(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg + "\n", new UTF8Encoding(false));
        return path;
    }

    /// <summary>The file name (without extension) used for <paramref name="name"/>: the safe anchor form of it.</summary>
    public static string FileName(string name) => FragmentHref.AnchorId("plot", name);
}
