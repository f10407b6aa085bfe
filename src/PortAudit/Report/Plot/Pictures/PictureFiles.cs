using System.Text;

namespace PortAudit.Report.Plot;

/// <summary>
/// Writes plots as pictures for <c>--plots DIR</c>: each chart through ScottPlot as <c>DIR/plot--NAME.png</c>, at least
/// 1000 by 500 pixels, and as <c>DIR/plot--NAME.svg</c>, for reports pasted into tickets and wikis, which show pictures
/// but not the page's inline plots. Safe to call from one thread at a time.
/// </summary>
/// <remarks>
/// Each picture replaces its previous one whole (<see cref="OutputSet.OpenFile"/>): a full disk or a stopped run leaves
/// the previous picture, never half of one.
/// </remarks>
public sealed class PictureFiles
{
    /// <summary>The file name prefix of every picture.</summary>
    private const string Prefix = "plot";

    private readonly string _directory;
    private readonly CancellationToken _cancel;
    private readonly List<string> _written = [];

    /// <param name="directory">Where the pictures go; created on the first picture.</param>
    /// <param name="cancel">Stops the drawing before the next picture (<see cref="OperationCanceledException"/>).</param>
    public PictureFiles(string directory, CancellationToken cancel = default)
    {
        _directory = directory ?? throw new ArgumentNullException(nameof(directory));
        _cancel = cancel;
    }

    /// <summary>Every file written so far, PNG and SVG, in order.</summary>
    public IReadOnlyList<string> Written => _written;

    /// <summary>Draws <paramref name="chart"/> as <c>plot--NAME.png</c> and <c>.svg</c>.</summary>
    public void Write(string name, TimeSeriesChart chart) => Write(name, TimeSeriesPicture.Build(chart ?? throw new ArgumentNullException(nameof(chart))));

    /// <inheritdoc cref="Write(string, TimeSeriesChart)"/>
    public void Write(string name, BarChart chart) => Write(name, BarChartPicture.Build(chart ?? throw new ArgumentNullException(nameof(chart))));

    /// <inheritdoc cref="Write(string, TimeSeriesChart)"/>
    public void Write(string name, Heatmap chart) => Write(name, HeatmapPicture.Build(chart ?? throw new ArgumentNullException(nameof(chart))));

    /// <summary>
    /// The file name, without extension, of the picture called <paramref name="name"/>: its safe anchor form, so that
    /// a name made from role names can never lead outside the directory.
    /// </summary>
    public static string FileName(string name) => FragmentHref.AnchorId(Prefix, name);

    /// <summary>
    /// The picture as PNG, compressed lightly: the library's default encoding (zlib level 6, every filter) took 20 ms
    /// of CPU for a time plot, several times the drawing; the Sub filter at level 3 takes 5 ms for a file a fifth
    /// larger (75 KB rather than 63 KB).
    /// </summary>
    /// <exception cref="InvalidOperationException">The native library could not make or encode the image.</exception>
    private static byte[] Png(Picture picture)
    {
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(picture.Width, picture.Height));
        picture.Plot.Render(surface);
        using var image = surface.Snapshot();
        using var pixels = image.PeekPixels();
        using var data = pixels.Encode(new SkiaSharp.SKPngEncoderOptions(SkiaSharp.SKPngEncoderFilterFlags.Sub, 3))
            ?? throw new InvalidOperationException($"cannot encode a {picture.Width}x{picture.Height} picture as PNG");
        return data.ToArray();
    }

    private void Write(string name, Picture picture)
    {
        ArgumentNullException.ThrowIfNull(name);
        _cancel.ThrowIfCancellationRequested();
        string path = Path.Combine(_directory, FileName(name));
        using var plot = picture.Plot;
        string png = path + ".png", svg = path + ".svg";
        OutputSet.Guard(png, () => Directory.CreateDirectory(_directory));
        WriteFile(png, Png(picture));
        // Checked as the page's plots are: one well-formed <svg> without script or links leaving it. The library's
        // document starts with its XML declaration; one is added only should it ever stop doing so.
        string markup = SvgSafety.Require(plot.GetSvgXml(picture.Width, picture.Height));
        if (!markup.StartsWith("<?xml", StringComparison.Ordinal)) markup = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + markup;
        WriteFile(svg, new UTF8Encoding(false).GetBytes(markup.EndsWith('\n') ? markup : markup + "\n"));
    }

    private void WriteFile(string path, byte[] content)
    {
        using (var file = OutputSet.OpenFile(path))
            file.Write(content);
        _written.Add(path);
    }
}
