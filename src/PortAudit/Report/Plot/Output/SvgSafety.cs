using System.Xml;
using System.Xml.Linq;

namespace PortAudit.Report.Plot;

/// <summary>
/// Checks markup from an <see cref="IPlotRenderer"/> before it is embedded in a page or written out: it must be one
/// well-formed &lt;svg&gt; without script, event handlers, foreign content or links leaving the page. The
/// built-in renderer passes by construction; the check is what keeps a replacement library honest.
/// </summary>
public static class SvgSafety
{
    private static readonly HashSet<string> Forbidden = new(StringComparer.OrdinalIgnoreCase)
        { "script", "foreignObject", "iframe", "object", "embed", "image", "use", "animate", "set", "style", "feImage" };

    /// <summary>Null when <paramref name="svg"/> is safe, otherwise why not.</summary>
    public static string? Problem(string? svg)
    {
        if (string.IsNullOrWhiteSpace(svg)) return "empty";
        XElement root;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(new StringReader(svg), settings);
            root = XElement.Load(reader);
        }
        catch (XmlException e)
        {
            return "not well-formed: " + e.Message;
        }
        if (root.Name.LocalName != "svg") return $"root is <{root.Name.LocalName}>, not <svg>";
        foreach (var element in root.DescendantsAndSelf())
        {
            if (Forbidden.Contains(element.Name.LocalName)) return $"<{element.Name.LocalName}> is not allowed";
            foreach (var attribute in element.Attributes())
            {
                string name = attribute.Name.LocalName;
                if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase)) return $"event handler '{name}'";
                if (name == "href" && !FragmentHref.IsSafe(attribute.Value)) return $"link '{attribute.Value}' leaves the page";
                if (attribute.Value.Contains("url(", StringComparison.OrdinalIgnoreCase) && !attribute.Value.Contains("url(#", StringComparison.OrdinalIgnoreCase))
                    return $"external url() in '{name}'";
            }
        }
        return null;
    }

    /// <summary>Returns <paramref name="svg"/> when safe; throws otherwise.</summary>
    /// <exception cref="ArgumentException">The markup is not a safe SVG document.</exception>
    public static string Require(string svg) =>
        Problem(svg) is { } problem ? throw new ArgumentException("unsafe SVG: " + problem, nameof(svg)) : svg;
}
