using System.Security.Cryptography;
using System.Text;

namespace PortAudit.Report.Plot;

/// <summary>
/// A small builder for one self-contained HTML page: inline CSS, inline SVG figures, sortable tables, nothing fetched
/// from anywhere. Text passes through <see cref="MarkupEscaper"/>; figures through <see cref="SvgSafety"/>; a
/// Content-Security-Policy allows only the page's own sorting script, as a second line of defence should hostile
/// markup ever get past the escaping.
/// </summary>
public sealed class HtmlDocument
{
    /// <summary>The only script on the page: click a table header to sort by that column. It marks the document
    /// element with data-script="ready", which tests use to tell that scripts ran at all.</summary>
    internal const string SortScript =
        "document.documentElement.setAttribute('data-script','ready');" +
        "document.querySelectorAll('table.sortable th').forEach(function(th,col){th.addEventListener('click',function(){" +
        "var body=th.closest('table').tBodies[0],rows=Array.from(body.rows),asc=th.getAttribute('aria-sort')!=='ascending';" +
        "th.closest('tr').querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});" +
        "th.setAttribute('aria-sort',asc?'ascending':'descending');" +
        "function key(r){var t=r.cells[col]?r.cells[col].textContent.trim():'',n=parseFloat(t.replace(/,/g,''));return isNaN(n)?t.toLowerCase():n;}" +
        "rows.sort(function(a,b){var x=key(a),y=key(b),c=(typeof x===typeof y)?(x<y?-1:x>y?1:0):(typeof x==='number'?-1:1);return asc?c:-c;});" +
        "rows.forEach(function(r){body.appendChild(r);});});});";

    private const string Css =
        "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;color:#222;margin:2rem auto;max-width:1280px;padding:0 1rem;line-height:1.45}" +
        "h1,h2,h3{line-height:1.2}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:.9rem}" +
        "table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}" +
        "th{background:#f3f3f3}table.sortable th{cursor:pointer}th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}" +
        "td{overflow-wrap:break-word;white-space:pre-line}a{color:#0b5394}div.table{overflow-x:auto}" +
        "section{border-top:1px solid #ccc;margin-top:2rem}p.lead{font-size:1.15rem;font-weight:600}";

    private readonly string _title;
    private readonly StringBuilder _body = new();
    private bool _sortable;
    private int _openSections;

    /// <param name="title">The page title (browser tab, bookmarks).</param>
    public HtmlDocument(string title) => _title = title ?? throw new ArgumentNullException(nameof(title));

    /// <summary>A heading, level 1 to 6, optionally with an id that links such as <c>#pair-…</c> can target.</summary>
    /// <exception cref="ArgumentException">The id has characters other than ASCII letters, digits, '-', '_', '.', ':'.</exception>
    public HtmlDocument Heading(int level, string text, string? id = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 6);
        _body.Append("<h").Append(level);
        AppendId(id);
        _body.Append('>').Append(MarkupEscaper.Text(text)).Append("</h").Append(level).Append(">\n");
        return this;
    }

    /// <summary>A paragraph of plain text; a lead paragraph stands out (the one-sentence verdict of a report).</summary>
    public HtmlDocument Paragraph(string text, bool lead = false)
    {
        _body.Append(lead ? "<p class=\"lead\">" : "<p>").Append(MarkupEscaper.Text(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Opens a &lt;section&gt; that groups what follows until <see cref="EndSection"/>, e.g. one role pair.</summary>
    /// <exception cref="ArgumentException">The id has characters other than ASCII letters, digits, '-', '_', '.', ':'.</exception>
    public HtmlDocument BeginSection(string? id = null)
    {
        _body.Append("<section");
        AppendId(id);
        _body.Append(">\n");
        _openSections++;
        return this;
    }

    /// <summary>Closes the section opened last.</summary>
    /// <exception cref="InvalidOperationException">No section is open.</exception>
    public HtmlDocument EndSection()
    {
        if (_openSections == 0) throw new InvalidOperationException("no section is open");
        _openSections--;
        _body.Append("</section>\n");
        return this;
    }

    /// <summary>An inline SVG plot with an optional caption.</summary>
    /// <exception cref="ArgumentException"><paramref name="svg"/> fails <see cref="SvgSafety"/>.</exception>
    public HtmlDocument Figure(string svg, string? caption = null)
    {
        _body.Append("<figure>").Append(SvgSafety.Require(svg));
        if (caption is not null) _body.Append("<figcaption>").Append(MarkupEscaper.Text(caption)).Append("</figcaption>");
        _body.Append("</figure>\n");
        return this;
    }

    /// <summary>A table of plain-text cells; sortable tables sort by a column when its header is clicked.</summary>
    public HtmlDocument Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, bool sortable = true, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        _sortable |= sortable;
        // Cells break between words only, so times and ports stay whole; a table wider than the page (a long
        // unbroken SNI) scrolls inside this box rather than stretching the page.
        _body.Append("<div class=\"table\"><table");
        AppendId(id);
        if (sortable) _body.Append(" class=\"sortable\"");
        _body.Append("><thead><tr>");
        foreach (string header in headers) _body.Append("<th scope=\"col\">").Append(MarkupEscaper.Text(header)).Append("</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (string cell in row) _body.Append("<td>").Append(MarkupEscaper.Text(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table></div>\n");
        return this;
    }

    /// <summary>A same-page link, e.g. back to the matrix.</summary>
    /// <exception cref="ArgumentException"><paramref name="href"/> is not a <c>#fragment</c> link.</exception>
    public HtmlDocument Link(string text, string href)
    {
        _body.Append("<p><a href=\"").Append(MarkupEscaper.Attribute(FragmentHref.Require(href))).Append("\">")
            .Append(MarkupEscaper.Text(text)).Append("</a></p>\n");
        return this;
    }

    /// <summary>The whole page.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder(_body.Length + 4096);
        string scriptPolicy = _sortable ? $"'sha256-{ScriptHash()}'" : "'none'";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ")
            .Append(scriptPolicy).Append("\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(MarkupEscaper.Text(_title)).Append("</title>\n")
            .Append("<style>").Append(Css).Append("</style>\n</head>\n<body>\n")
            .Append(_body);
        for (int i = 0; i < _openSections; i++) html.Append("</section>\n");
        if (_sortable) html.Append("<script>").Append(SortScript).Append("</script>\n");
        return html.Append("</body>\n</html>\n").ToString();
    }

    private void AppendId(string? id)
    {
        if (id is null) return;
        if (!FragmentHref.IsSafeId(id)) throw new ArgumentException($"unsafe id '{id}'", nameof(id));
        _body.Append(" id=\"").Append(id).Append('"');
    }

    private static string ScriptHash() => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(SortScript)));
}
