namespace PortAudit.Report.Plot;

/// <summary>
/// The font the pictures (<see cref="PictureFiles"/>) are drawn in, chosen once per process. The Linux native
/// library that draws them reads fonts from the font directory without fontconfig and would otherwise take the first
/// family it found, a serif one here; so a sans family Debian ships (fonts-dejavu-core, which tools/setup.sh
/// installs) is named. Without it the next installed sans family is taken with a warning, and without any font the
/// pictures are still written, with a warning that their text is missing: a missing font never fails an audit.
/// </summary>
public sealed class PlotFont
{
    /// <summary>The family asked for: DejaVu Sans, from Debian's fonts-dejavu-core.</summary>
    public const string Preferred = "DejaVu Sans";

    /// <summary>Families taken in this order when <see cref="Preferred"/> is absent: sans faces before any other.</summary>
    private static readonly string[] Fallbacks = ["Liberation Sans", "Noto Sans", "FreeSans", "Arial", "Helvetica", "Open Sans"];

    private static readonly Lazy<PlotFont> Installed = new(() => Install(Choose(InstalledFamilies())));

    private PlotFont(string? family, string? warning)
    {
        Family = family;
        Warning = warning;
    }

    /// <summary>The family drawn in, or null when no font was found.</summary>
    public string? Family { get; }

    /// <summary>Why the pictures may not look as intended (another family, or no text), or null.</summary>
    public string? Warning { get; }

    /// <summary>The process's font, chosen and set as the pictures' default on first use.</summary>
    public static PlotFont Current => Installed.Value;

    /// <summary>
    /// Picks the family from those installed: <see cref="Preferred"/>, else the first known sans family, else any
    /// family with "Sans" in its name, else the first one; null with a warning when there is none.
    /// </summary>
    internal static PlotFont Choose(IReadOnlyCollection<string> installed)
    {
        bool Has(string family) => installed.Contains(family, StringComparer.OrdinalIgnoreCase);
        if (Has(Preferred)) return new PlotFont(Preferred, null);
        string? other = Fallbacks.FirstOrDefault(Has)
            ?? installed.Order(StringComparer.Ordinal).FirstOrDefault(f => f.Contains("Sans", StringComparison.OrdinalIgnoreCase) && !f.Contains("Mono", StringComparison.OrdinalIgnoreCase))
            ?? installed.Order(StringComparer.Ordinal).FirstOrDefault();
        const string Install = "install fonts-dejavu-core (tools/setup.sh does)";
        return other is null
            ? new PlotFont(null, $"no font found: plot pictures are written without text; {Install}")
            : new PlotFont(other, $"font {Preferred} not found: plot pictures use {other}; {Install}");
    }

    private static IReadOnlyCollection<string> InstalledFamilies() => SkiaSharp.SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static PlotFont Install(PlotFont font)
    {
        if (font.Family is not null) ScottPlot.Fonts.Default = font.Family;
        return font;
    }
}
