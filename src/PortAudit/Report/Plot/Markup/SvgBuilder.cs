using System.Globalization;
using System.Text;

namespace PortAudit.Report.Plot;

/// <summary>
/// Writes SVG elements. Every attribute value and text goes through <see cref="MarkupEscaper"/> and every number
/// through <see cref="Number"/>, so chart code cannot emit unescaped text, culture-specific decimals or NaN.
/// </summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _out = new(4096);
    private readonly Stack<string> _open = new();
    private bool _tagPending;

    public SvgBuilder Start(string name)
    {
        CloseStartTag();
        _out.Append('<').Append(name);
        _open.Push(name);
        _tagPending = true;
        return this;
    }

    public SvgBuilder Attr(string name, string? value)
    {
        if (!_tagPending) throw new InvalidOperationException($"attribute '{name}' outside a start tag");
        if (value is null) return this;
        _out.Append(' ').Append(name).Append("=\"").Append(MarkupEscaper.Attribute(value)).Append('"');
        return this;
    }

    public SvgBuilder Attr(string name, double value) => Attr(name, Number(value));

    public SvgBuilder Text(string? text)
    {
        CloseStartTag();
        _out.Append(MarkupEscaper.Text(text));
        return this;
    }

    /// <summary>A tooltip: SVG shows the first &lt;title&gt; child of an element on hover.</summary>
    public SvgBuilder Title(string? text) => text is null ? this : Start("title").Text(text).End();

    public SvgBuilder End()
    {
        string name = _open.Pop();
        if (_tagPending) _out.Append("/>");
        else _out.Append("</").Append(name).Append('>');
        _tagPending = false;
        return this;
    }

    public override string ToString()
    {
        if (_open.Count > 0) throw new InvalidOperationException($"<{_open.Peek()}> left open");
        return _out.ToString();
    }

    /// <summary>
    /// Coordinates with at most two decimals, '.' as separator whatever the culture; a non-finite value (which
    /// layout should never produce) becomes 0 rather than NaN, which browsers would refuse to draw.
    /// </summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value)) return "0";
        double rounded = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        return rounded == 0 ? "0" : rounded.ToString("0.##", CultureInfo.InvariantCulture);
    }

    private void CloseStartTag()
    {
        if (!_tagPending) return;
        _out.Append('>');
        _tagPending = false;
    }
}
