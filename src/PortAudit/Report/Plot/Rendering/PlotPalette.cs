namespace PortAudit.Report.Plot;

/// <summary>
/// Colours that stay distinguishable with the common colour-vision deficiencies (Okabe–Ito and Paul Tol's sets).
/// Verdicts always get the same colour, in every chart and report, so readers learn them once; other keys take
/// the categorical colours in order of first use.
/// </summary>
public static class PlotPalette
{
    /// <summary>Fixed colours of the audit's verdicts, mildest first; legends list verdicts in this order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Verdicts { get; } =
    [
        new("expected", "#009E73"),
        new("expected-dynamic-rpc", "#56B4E9"),
        // Allowed, but a model of its role pair found it anomalous (audit --model): apart from the expected band.
        new("anomalous", "#CC79A7"),
        new("protocol-mismatch", "#E69F00"),
        new("unmapped", "#999999"),
        new("unexpected", "#D55E00"),
        new("required-blocked", "#882255"),
    ];

    /// <summary>Colours for keys that are not verdicts, in order of use; they repeat past the end.</summary>
    public static IReadOnlyList<string> Categorical { get; } =
        ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#882255", "#999933", "#44AA99"];

    /// <summary>The fixed colour of a verdict (case-insensitive), or null for any other key.</summary>
    public static string? VerdictColor(string key)
    {
        foreach (var (name, color) in Verdicts)
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase)) return color;
        return null;
    }

    /// <summary>Black or white, whichever reads better on <paramref name="background"/> (#rrggbb).</summary>
    internal static string TextOn(string background)
    {
        double Channel(int offset)
        {
            double c = Convert.ToInt32(background.Substring(offset, 2), 16) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        double luminance = 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
        // Where black and white give equal contrast (WCAG): above it black wins.
        return luminance > 0.179 ? "#000000" : "#ffffff";
    }

    /// <summary>Position of a verdict in <see cref="Verdicts"/>, or -1.</summary>
    internal static int VerdictRank(string key)
    {
        for (int i = 0; i < Verdicts.Count; i++)
            if (string.Equals(Verdicts[i].Key, key, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}

/// <summary>
/// Gives each key of one chart its colour: verdicts their fixed colour, other keys the next categorical colour. Once
/// the categorical colours run out they repeat with a dash pattern, so lines stay told apart.
/// </summary>
internal sealed class ColorAssigner
{
    private readonly Dictionary<string, (string Color, string? Dash)> _assigned = new(StringComparer.Ordinal);
    private int _next;

    public string Color(string key) => Assign(key).Color;

    /// <summary>stroke-dasharray for a line, or null for a solid one.</summary>
    public string? Dash(string key) => Assign(key).Dash;

    private (string Color, string? Dash) Assign(string key)
    {
        if (_assigned.TryGetValue(key, out var found)) return found;
        var result = PlotPalette.VerdictColor(key) is { } verdict
            ? (verdict, null)
            : NextCategorical();
        _assigned[key] = result;
        return result;
    }

    private (string, string?) NextCategorical()
    {
        var colors = PlotPalette.Categorical;
        // A colour a verdict already took in this chart would make a rule look like that verdict: pass it over.
        for (int tries = 0; tries < colors.Count; tries++)
        {
            int index = _next++;
            string color = colors[index % colors.Count];
            int round = index / colors.Count;
            if (round == 0 && _assigned.Values.Any(a => a.Color == color)) continue;
            return (color, round == 0 ? null : round % 2 == 1 ? "6 3" : "2 2");
        }
        return (colors[_next++ % colors.Count], "6 3");
    }
}
