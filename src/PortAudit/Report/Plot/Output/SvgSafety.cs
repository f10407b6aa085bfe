namespace PortAudit.Report.Plot;

/// <summary>
/// Checks markup from an <see cref="IPlotRenderer"/> before it is embedded in a page or written out: it must be one
/// well-formed &lt;svg&gt; without script, event handlers, foreign content or links leaving the page. The
/// built-in renderer passes by construction; the check is what keeps a replacement library honest. The markup is read
/// by <see cref="StrictMarkupReader"/>, a strict subset of XML, rather than by an XML parser into a DOM, which cost
/// more than the rest of report.html on a small capture.
/// </summary>
public static class SvgSafety
{
    private static readonly HashSet<string> Forbidden = new(StringComparer.OrdinalIgnoreCase)
        { "script", "foreignObject", "iframe", "object", "embed", "image", "use", "animate", "set", "style", "feImage" };

    /// <summary>Null when <paramref name="svg"/> is safe, otherwise why not.</summary>
    public static string? Problem(string? svg)
    {
        if (string.IsNullOrWhiteSpace(svg)) return "empty";
        var reader = new StrictMarkupReader(svg);
        string? problem = null;
        bool root = true;
        // Read to the end even after a problem: a document that is not well-formed says so first, as a parser would.
        while (reader.Read())
        {
            if (problem is null) problem = root && reader.LocalName != "svg" ? $"root is <{reader.LocalName}>, not <svg>" : ElementProblem(reader);
            root = false;
        }
        return reader.Error is { } error ? "not well-formed: " + error : problem;
    }

    /// <summary>Returns <paramref name="svg"/> when safe; throws otherwise.</summary>
    /// <exception cref="ArgumentException">The markup is not a safe SVG document.</exception>
    public static string Require(string svg) =>
        Problem(svg) is { } problem ? throw new ArgumentException("unsafe SVG: " + problem, nameof(svg)) : svg;

    private static string? ElementProblem(StrictMarkupReader element)
    {
        if (Forbidden.Contains(element.LocalName)) return $"<{element.LocalName}> is not allowed";
        for (int i = 0; i < element.AttributeNames.Count; i++)
        {
            string name = element.AttributeNames[i], value = element.AttributeValues[i];
            if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase)) return $"event handler '{name}'";
            if (name == "href" && !FragmentHref.IsSafe(value)) return $"link '{value}' leaves the page";
            if (value.Contains("url(", StringComparison.OrdinalIgnoreCase) && !value.Contains("url(#", StringComparison.OrdinalIgnoreCase))
                return $"external url() in '{name}'";
        }
        return null;
    }
}
