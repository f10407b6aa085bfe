using System.Security.Cryptography;
using System.Text;

namespace PortAudit.Report.Plot;

/// <summary>
/// A small builder for one self-contained HTML page: inline CSS, inline SVG figures, sortable, filterable and searchable tables,
/// folded parts, nothing fetched from anywhere. Text passes through <see cref="MarkupEscaper"/>; figures through
/// <see cref="SvgSafety"/>; a Content-Security-Policy allows only the page's own script, as a second line of defence
/// should hostile markup ever get past the escaping. The page is built in memory (<see cref="ToHtml"/>) or written to
/// a stream as it is built (<see cref="Streaming"/>), so a large report never exists whole in memory.
/// </summary>
public sealed class HtmlDocument
{
    private const string Css =
        "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;color:#222;margin:2rem auto;max-width:1280px;padding:0 1rem;line-height:1.45}" +
        "h1,h2,h3{line-height:1.2}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:.9rem}" +
        "table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}" +
        "th{background:#f3f3f3}table.sortable th{cursor:pointer}th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}" +
        "td{overflow-wrap:break-word;white-space:pre-line}a{color:#0b5394}div.table{overflow-x:auto}" +
        "section{border-top:1px solid #ccc;margin-top:1rem}p.lead{font-size:1.15rem;font-weight:600}p.more{color:#555;font-style:italic}" +
        "summary{cursor:pointer;padding:.4rem 0}summary>h2,summary>h3{display:inline;margin:0}summary>span{color:#555;margin-left:.6rem}" +
        "form.filters:not([hidden]){display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:.5rem 0}form.filters output{color:#555}" +
        "ul.counts{columns:22rem;margin:.3rem 0 .6rem}ul.counts span.count{color:#555}" +
        "tr.high td:first-child{border-left:4px solid #882255}tr.medium td:first-child{border-left:4px solid #D55E00}tr.low td:first-child{border-left:4px solid #999}" +
        "div.views>input{position:absolute;opacity:0}div.views>label{display:inline-block;padding:.2rem .7rem;border:1px solid #bbb;border-radius:3px;margin-right:.3rem;cursor:pointer}" +
        "div.views>input:checked+label{background:#0b5394;color:#fff;border-color:#0b5394}div.views>input:focus-visible+label{outline:2px solid #0b5394}" +
        "div.views>figure{display:none}" +
        "div.views>input:nth-of-type(1):checked~figure:nth-of-type(1),div.views>input:nth-of-type(2):checked~figure:nth-of-type(2)," +
        "div.views>input:nth-of-type(3):checked~figure:nth-of-type(3),div.views>input:nth-of-type(4):checked~figure:nth-of-type(4){display:block}";

    /// <summary>Most views one <see cref="Views"/> switch holds; the style sheet has a rule for each.</summary>
    internal const int MaxViews = 4;

    /// <summary>
    /// Rows a table with a <see cref="FilterBar"/> shows until a filter, a search or its "show all" asks for more. The
    /// browser lays out only what shows, and text layout is the cost of a long list: Chromium took 1.8 s to lay out
    /// 5,000 findings' rows at once and 2.7 s to open the page they were in, against 0.6 s with only the page's parse
    /// (docs/report.md). The first rows are the worst, so what waits is the least urgent.
    /// </summary>
    public const int PagedRows = 500;

    // Past PagedRows, a filtered table's rows wait for the script (which lifts the rule when the reader filters,
    // searches or asks for all); where no script runs the head's <noscript> rule, later and as specific, shows them.
    private static readonly string PagedRule = $"table.paged>tbody>tr:nth-child(n+{PagedRows + 1})";
    private static readonly string PagedCss = PagedRule + "{display:none}";
    private static readonly string NoScriptCss = PagedRule + "{display:table-row}";

    private readonly string _title;
    private readonly TextWriter _body;
    private readonly bool _streaming;
    private bool _script;
    private bool _finished;
    // Tables a filter bar names: their rows past PagedRows wait (PagedCss).
    private readonly HashSet<string> _filtered = new(StringComparer.Ordinal);
    private readonly Stack<string> _open = new();

    /// <param name="title">The page title (browser tab, bookmarks).</param>
    public HtmlDocument(string title)
    {
        _title = title ?? throw new ArgumentNullException(nameof(title));
        _body = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
    }

    private HtmlDocument(string title, TextWriter output)
    {
        _title = title ?? throw new ArgumentNullException(nameof(title));
        _body = output ?? throw new ArgumentNullException(nameof(output));
        _streaming = true;
        // The head goes out first, before the page knows whether it needs its script: the policy allows it always.
        _script = true;
        WriteHead(_body);
    }

    /// <summary>
    /// A page written to <paramref name="output"/> as it is built: the head at once, each part as it is added, the end
    /// at <see cref="Finish"/>. <see cref="ToHtml"/> is not available.
    /// </summary>
    public static HtmlDocument Streaming(string title, TextWriter output) => new(title, output);

    /// <summary>A heading, level 1 to 6, optionally with an id that links such as <c>#pair-…</c> can target.</summary>
    /// <exception cref="ArgumentException">The id has characters other than ASCII letters, digits, '-', '_', '.', ':'.</exception>
    public HtmlDocument Heading(int level, string text, string? id = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 6);
        Write("<h").Write(level.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppendId(id);
        Write(">").Write(MarkupEscaper.Text(text)).Write("</h").Write(level.ToString(System.Globalization.CultureInfo.InvariantCulture)).Write(">\n");
        return this;
    }

    /// <summary>A paragraph of plain text; a lead paragraph stands out (the one-sentence verdict of a report).</summary>
    public HtmlDocument Paragraph(string text, bool lead = false)
    {
        Write(lead ? "<p class=\"lead\">" : "<p>").Write(MarkupEscaper.Text(text)).Write("</p>\n");
        return this;
    }

    /// <summary>Opens a &lt;section&gt; that groups what follows until <see cref="EndSection"/>, e.g. one role pair.</summary>
    /// <exception cref="ArgumentException">The id has characters other than ASCII letters, digits, '-', '_', '.', ':'.</exception>
    public HtmlDocument BeginSection(string? id = null)
    {
        Write("<section");
        AppendId(id);
        Write(">\n");
        _open.Push("</section>\n");
        return this;
    }

    /// <summary>Closes the section opened last.</summary>
    /// <exception cref="InvalidOperationException">No section is open, or a fold opened since is not closed.</exception>
    public HtmlDocument EndSection() => Close("</section>\n", "section");

    /// <summary>
    /// Opens a folded part (&lt;details&gt;) whose summary is a heading and an optional note, e.g. a role pair's
    /// counts; what follows until <see cref="EndFold"/> shows when the reader opens it. Folded text stays in the page,
    /// so the browser's find and a reader without script still reach it.
    /// </summary>
    public HtmlDocument BeginFold(int level, string heading, string? note = null, bool open = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 6);
        string h = level.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Write(open ? "<details open><summary><h" : "<details><summary><h").Write(h).Write(">").Write(MarkupEscaper.Text(heading))
            .Write("</h").Write(h).Write(">");
        if (note is not null) Write("<span>").Write(MarkupEscaper.Text(note)).Write("</span>");
        Write("</summary>\n");
        _open.Push("</details>\n");
        return this;
    }

    /// <summary>Closes the fold opened last.</summary>
    /// <exception cref="InvalidOperationException">No fold is open, or a section opened since is not closed.</exception>
    public HtmlDocument EndFold() => Close("</details>\n", "fold");

    /// <summary>An inline SVG plot with an optional caption.</summary>
    /// <exception cref="ArgumentException"><paramref name="svg"/> fails <see cref="SvgSafety"/>.</exception>
    public HtmlDocument Figure(string svg, string? caption = null)
    {
        Write("<figure>").Write(SvgSafety.Require(svg));
        if (caption is not null) Write("<figcaption>").Write(MarkupEscaper.Text(caption)).Write("</figcaption>");
        Write("</figure>\n");
        return this;
    }

    /// <summary>
    /// Several figures in one place, one shown at a time: the reader picks a view by its label (radio buttons and
    /// the style sheet, no script). The first view shows by default; <paramref name="group"/> names the switch.
    /// </summary>
    /// <exception cref="ArgumentException">No views or more than <see cref="MaxViews"/>, an unsafe group name, or a figure fails <see cref="SvgSafety"/>.</exception>
    public HtmlDocument Views(string group, IReadOnlyList<(string Label, string Svg)> views, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count is 0 or > MaxViews) throw new ArgumentException($"a switch holds 1 to {MaxViews} views", nameof(views));
        if (!FragmentHref.IsSafeId(group)) throw new ArgumentException($"unsafe group '{group}'", nameof(group));
        Write("<div class=\"views\">");
        for (int i = 0; i < views.Count; i++)
        {
            string id = group + "-v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Write("<input type=\"radio\" name=\"").Write(group).Write("\" id=\"").Write(id).Write(i == 0 ? "\" checked>" : "\">")
                .Write("<label for=\"").Write(id).Write("\">").Write(MarkupEscaper.Text(views[i].Label)).Write("</label>");
        }
        foreach (var view in views)
        {
            Write("<figure>").Write(SvgSafety.Require(view.Svg));
            if (caption is not null) Write("<figcaption>").Write(MarkupEscaper.Text(caption)).Write("</figcaption>");
            Write("</figure>");
        }
        Write("</div>\n");
        return this;
    }

    /// <summary>A table of plain-text cells; sortable tables sort by a column when its header is clicked.</summary>
    public HtmlDocument Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, bool sortable = true, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Table(headers, rows.Select(r => new TableRow(r)), sortable, id);
    }

    /// <summary>
    /// A table of plain-text rows that may carry a class and data attributes (what a filter bar matches), showing at
    /// most <paramref name="limit"/> rows; past it, one line says how many more there are and where:
    /// "<c>N more in <paramref name="elsewhere"/></c>".
    /// </summary>
    /// <exception cref="ArgumentException">An id, class or data name is not made of ASCII letters, digits, '-', '_', '.', ':'.</exception>
    public HtmlDocument Table(IReadOnlyList<string> headers, IEnumerable<TableRow> rows, bool sortable, string? id,
        int limit = int.MaxValue, string elsewhere = "the JSON report")
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        _script |= sortable;
        // Cells break between words only, so times and ports stay whole; a table wider than the page (a long
        // unbroken SNI) scrolls inside this box rather than stretching the page.
        Write("<div class=\"table\"><table");
        AppendId(id);
        bool paged = id is not null && _filtered.Contains(id);
        string? classes = (sortable, paged) switch
        {
            (true, true) => "sortable paged",
            (true, false) => "sortable",
            (false, true) => "paged",
            _ => null,
        };
        if (classes is not null) Write(" class=\"").Write(classes).Write("\"");
        if (paged) Write(" data-page=\"").Write(PagedRows.ToString(System.Globalization.CultureInfo.InvariantCulture)).Write("\"");
        Write("><thead><tr>");
        foreach (string header in headers) Write("<th scope=\"col\">").Write(MarkupEscaper.Text(header)).Write("</th>");
        Write("</tr></thead><tbody>\n");
        long more = 0;
        foreach (var row in rows)
        {
            if (limit <= 0) { more++; continue; }
            limit--;
            WriteRow(row);
        }
        Write("</tbody></table></div>\n");
        if (more > 0)
            Paragraph(more.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " more in " + elsewhere, cssClass: "more");
        return this;
    }

    /// <summary>
    /// A bar of selects that filters the rows of table <paramref name="tableId"/>: a row shows when, for every select
    /// with a value, its <c>data-NAME</c> attribute equals that value, and, when <paramref name="search"/> labels a
    /// search box (named <c>q</c>), every word typed occurs in its <c>data-search</c> attribute (lowercase text the
    /// row carries for this). The bar is hidden until the page's script runs, so a reader without script sees the whole
    /// table and no dead controls. Written before its table: the table then shows its first <see cref="PagedRows"/>
    /// rows until a filter, a search or the bar's "show all" asks for more.
    /// </summary>
    /// <exception cref="ArgumentException">The table id or a filter name is not a safe id.</exception>
    public HtmlDocument FilterBar(string tableId, IReadOnlyList<TableFilter> filters, string? search = null)
    {
        ArgumentNullException.ThrowIfNull(filters);
        RequireSafe(tableId, nameof(tableId));
        _script = true;
        _filtered.Add(tableId);
        Write("<form class=\"filters\" hidden data-table=\"").Write(tableId).Write("\">");
        foreach (var filter in filters)
        {
            RequireSafe(filter.Name, nameof(filters));
            Write("<label>").Write(MarkupEscaper.Text(filter.Label)).Write(" <select name=\"").Write(filter.Name).Write("\"><option value=\"\">all</option>");
            foreach (string value in filter.Values)
                Write("<option value=\"").Write(MarkupEscaper.Attribute(value)).Write("\">").Write(MarkupEscaper.Text(value)).Write("</option>");
            Write("</select></label>");
        }
        if (search is not null)
            Write("<label>").Write(MarkupEscaper.Text(search)).Write(" <input type=\"search\" name=\"q\" autocomplete=\"off\"></label>");
        Write("<button type=\"button\" class=\"all\" hidden>show all</button><output></output></form>\n");
        return this;
    }

    /// <summary>
    /// A list of counts, each a link that sets the page's filter bars (<see cref="FragmentHref.Filter"/>), e.g. a
    /// kind's findings per role pair: "<c>text</c> N" per line.
    /// </summary>
    /// <exception cref="ArgumentException">A filter name is not a safe id.</exception>
    public HtmlDocument CountedLinks(IEnumerable<CountedLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        Write("<ul class=\"counts\">");
        foreach (var link in links)
            Write("<li><a href=\"").Write(MarkupEscaper.Attribute(FragmentHref.Filter(link.Filter))).Write("\">").Write(MarkupEscaper.Text(link.Text))
                .Write("</a> <span class=\"count\">").Write(link.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)).Write("</span></li>");
        Write("</ul>\n");
        return this;
    }

    /// <summary>A same-page link, e.g. back to the matrix.</summary>
    /// <exception cref="ArgumentException"><paramref name="href"/> is not a <c>#fragment</c> link.</exception>
    public HtmlDocument Link(string text, string href)
    {
        Write("<p><a href=\"").Write(MarkupEscaper.Attribute(FragmentHref.Require(href))).Write("\">")
            .Write(MarkupEscaper.Text(text)).Write("</a></p>\n");
        return this;
    }

    /// <summary>The whole page, for a page built in memory.</summary>
    /// <exception cref="InvalidOperationException">The page is <see cref="Streaming"/>.</exception>
    public string ToHtml()
    {
        if (_streaming) throw new InvalidOperationException("a streamed page has no whole text; call Finish");
        var html = new StringWriter(new StringBuilder(((StringWriter)_body).GetStringBuilder().Length + 8192), System.Globalization.CultureInfo.InvariantCulture);
        WriteHead(html);
        html.Write(((StringWriter)_body).GetStringBuilder());
        WriteTail(html);
        return html.ToString();
    }

    /// <summary>Closes what is open and ends a <see cref="Streaming"/> page; a second call does nothing.</summary>
    /// <exception cref="InvalidOperationException">The page is built in memory: use <see cref="ToHtml"/>.</exception>
    public void Finish()
    {
        if (!_streaming) throw new InvalidOperationException("a page built in memory ends with ToHtml");
        if (_finished) return;
        _finished = true;
        WriteTail(_body);
        _body.Flush();
    }

    private void WriteHead(TextWriter html)
    {
        string scriptPolicy = _script ? $"'sha256-{ScriptHash()}'" : "'none'";
        html.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ");
        html.Write(scriptPolicy);
        html.Write("\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
        html.Write(MarkupEscaper.Text(_title));
        html.Write("</title>\n<style>");
        html.Write(Css);
        html.Write(PagedCss);
        html.Write("</style>\n<noscript><style>");
        html.Write(NoScriptCss);
        html.Write("</style></noscript>\n</head>\n<body>\n");
    }

    private void WriteTail(TextWriter html)
    {
        foreach (string close in _open) html.Write(close);
        _open.Clear();
        if (_script) html.Write("<script>" + PageScript.Text + "</script>\n");
        html.Write("</body>\n</html>\n");
    }

    private void WriteRow(TableRow row)
    {
        Write("<tr");
        if (row.Class is not null) { RequireSafe(row.Class, nameof(row)); Write(" class=\"").Write(row.Class).Write("\""); }
        if (row.Data is not null)
            foreach (var (name, value) in row.Data)
            {
                RequireSafe(name, nameof(row));
                Write(" data-").Write(name).Write("=\"").Write(MarkupEscaper.Attribute(value)).Write("\"");
            }
        Write(">");
        foreach (string cell in row.Cells) Write("<td>").Write(MarkupEscaper.Text(cell)).Write("</td>");
        Write("</tr>\n");
    }

    private HtmlDocument Paragraph(string text, string cssClass)
    {
        Write("<p class=\"").Write(cssClass).Write("\">").Write(MarkupEscaper.Text(text)).Write("</p>\n");
        return this;
    }

    private HtmlDocument Close(string close, string what)
    {
        if (_open.Count == 0 || _open.Peek() != close) throw new InvalidOperationException($"no {what} is open");
        Write(_open.Pop());
        return this;
    }

    private HtmlDocument Write(string text)
    {
        if (_finished) throw new InvalidOperationException("the page is finished");
        _body.Write(text);
        return this;
    }

    private void AppendId(string? id)
    {
        if (id is null) return;
        RequireSafe(id, nameof(id));
        Write(" id=\"").Write(id).Write("\"");
    }

    private static void RequireSafe(string id, string parameter)
    {
        if (!FragmentHref.IsSafeId(id)) throw new ArgumentException($"unsafe id '{id}'", parameter);
    }

    private static string ScriptHash() => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(PageScript.Text)));
}

/// <summary>One row of an <see cref="HtmlDocument"/> table: plain-text cells, an optional class and data attributes.</summary>
/// <param name="Cells">The cells' text, escaped when written.</param>
/// <param name="Class">A class for the row (e.g. its severity, for the style sheet), or null.</param>
/// <param name="Data">Data attributes, name (without <c>data-</c>) to value, that a <see cref="HtmlDocument.FilterBar"/> matches; or null.</param>
public sealed record TableRow(IReadOnlyList<string> Cells, string? Class = null, IReadOnlyList<KeyValuePair<string, string>>? Data = null);

/// <summary>One select of a <see cref="HtmlDocument.FilterBar"/>.</summary>
/// <param name="Name">The data attribute it matches (without <c>data-</c>) and the name in the address (<c>#filter:NAME=value</c>).</param>
/// <param name="Label">What the reader sees beside it.</param>
/// <param name="Values">The values to choose from, in order; "all" comes first by itself.</param>
public sealed record TableFilter(string Name, string Label, IReadOnlyList<string> Values);

/// <summary>One line of <see cref="HtmlDocument.CountedLinks"/>.</summary>
/// <param name="Text">What the reader sees, e.g. a role pair.</param>
/// <param name="Filter">The filter bar's values the link sets, name to value (the other controls are cleared).</param>
/// <param name="Count">How many rows the filter shows.</param>
public sealed record CountedLink(string Text, IReadOnlyList<KeyValuePair<string, string>> Filter, long Count);
