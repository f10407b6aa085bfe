using PortAudit.Audit;
using PortAudit.Report.Html;
using PortAudit.Report.Plot;
using PortAudit.Report.Text;

namespace PortAudit.Report.Audits;

/// <summary>
/// report.md's part that shows the pictures of <c>--plots DIR</c>: the role matrix, then each drawn pair's plots under
/// its heading, as images linked by a path relative to report.md, so that a report pasted into a ticket or a wiki
/// together with the directory carries its pictures.
/// </summary>
internal static class MarkdownPlotLinks
{
    /// <param name="writer">report.md.</param>
    /// <param name="report">The report whose plots were drawn.</param>
    /// <param name="directory">The pictures' directory relative to report.md's (or absolute where no relative path leads there).</param>
    public static void Write(TextWriter writer, AuditReport report, string directory)
    {
        var pairs = PlotNames.PairsDrawn(report).ToList();
        if (pairs.Count == 0) return;
        writer.WriteLine("## Plots");
        writer.WriteLine();
        Image(writer, "Role matrix", directory, PlotNames.RoleMatrix);
        foreach (var pair in pairs)
        {
            writer.WriteLine($"### {OutsideText.Markdown(pair.ClientRoles)} → {OutsideText.Markdown(pair.ServerRoles)}");
            writer.WriteLine();
            foreach (var (name, shows) in PlotNames.Of(pair).All) Image(writer, shows, directory, name);
        }
    }

    /// <summary>The link to the PNG of plot <paramref name="name"/>: the directory's parts percent-encoded, '/' between them.</summary>
    public static string Href(string directory, string name)
    {
        string file = PictureFiles.FileName(name) + ".png";
        if (Path.IsPathRooted(directory)) return new Uri(Path.Combine(directory, file)).AbsoluteUri;
        var parts = directory.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            .Where(p => p.Length > 0 && p != ".").Select(Uri.EscapeDataString);
        return string.Join('/', parts.Append(file));
    }

    // A paragraph of its own, so that each picture shows below the one before.
    private static void Image(TextWriter writer, string shows, string directory, string name)
    {
        writer.WriteLine($"![{OutsideText.Markdown(shows)}]({Href(directory, name)})");
        writer.WriteLine();
    }
}
