using System.Text.RegularExpressions;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

/// <summary>The page builder's parts for a large report: streaming, folds, capped and filterable tables, view switches.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class PageDocumentTests
{
    private static HtmlDocument Fill(HtmlDocument page) => page
        .Heading(1, "t")
        .FilterBar("list", [new TableFilter("kind", "Kind", ["unexpected", PlotSamples.ScriptLabel])])
        .Table(["a"], [new TableRow(["x"], "high", [new("kind", "unexpected")])], sortable: true, "list")
        .BeginSection("s").BeginFold(2, "pair", "3 flows").Paragraph("inside").EndFold().EndSection();

    [Fact]
    public void A_streamed_page_is_the_page_built_in_memory()
    {
        var writer = new StringWriter();
        var streamed = Fill(HtmlDocument.Streaming("t", writer));
        string before = writer.ToString();
        streamed.Finish();

        Assert.Equal(Fill(new HtmlDocument("t")).ToHtml(), writer.ToString());
        // The head and the parts went out before the end: nothing waited for Finish but the closing tags.
        Assert.Contains("<p>inside</p>", before);
        Assert.DoesNotContain("</html>", before);
        Assert.Throws<InvalidOperationException>(() => streamed.ToHtml());
    }

    [Fact]
    public void A_capped_table_counts_the_rows_it_leaves_out()
    {
        string html = new HtmlDocument("t")
            .Table(["n"], Enumerable.Range(0, 1234).Select(i => new TableRow([i.ToString()])), sortable: false, "big", limit: 100, "report.json")
            .ToHtml();

        Assert.Equal(100, Regex.Matches(html, "<td>").Count);
        Assert.Contains("<td>99</td>", html);
        Assert.DoesNotContain("<td>100</td>", html);
        Assert.Contains("<p class=\"more\">1,134 more in report.json</p>", html);
    }

    [Fact]
    public void The_filter_bar_is_hidden_without_script_and_rows_carry_escaped_values()
    {
        string html = Fill(new HtmlDocument("t")).ToHtml();

        Assert.Contains("<form class=\"filters\" hidden data-table=\"list\">", html);
        Assert.Contains("<tr class=\"high\" data-kind=\"unexpected\">", html);
        Assert.DoesNotContain(PlotSamples.ScriptLabel, html);
        Assert.Contains("<details><summary><h2>pair</h2><span>3 flows</span></summary>", html);
        Assert.Throws<ArgumentException>(() => new HtmlDocument("t").Table(["a"], [new TableRow(["x"], "a\" onclick=\"x")], false, null));
    }

    [Fact]
    public void A_filtered_table_shows_its_first_rows_where_script_runs_and_all_where_none_does()
    {
        string html = Fill(new HtmlDocument("t")).Table(["b"], [new TableRow(["y"])], sortable: true, "other").ToHtml();

        Assert.Contains($"<table id=\"list\" class=\"sortable paged\" data-page=\"{HtmlDocument.PagedRows}\">", html);
        Assert.Contains("<table id=\"other\" class=\"sortable\">", html);
        string rule = $"table.paged>tbody>tr:nth-child(n+{HtmlDocument.PagedRows + 1})";
        int hides = html.IndexOf(rule + "{display:none}", StringComparison.Ordinal);
        int shows = html.IndexOf("<noscript><style>" + rule + "{display:table-row}</style></noscript>", StringComparison.Ordinal);
        // The same selector later in the head wins where no script runs, so no row is out of a reader's reach.
        Assert.True(hides > 0 && shows > hides, html[..Math.Min(html.Length, 4000)]);
        Assert.True(shows < html.IndexOf("</head>", StringComparison.Ordinal));
        Assert.Contains("<button type=\"button\" class=\"all\" hidden>show all</button>", html);
    }

    [Fact]
    public void Counted_links_filter_within_the_page_whatever_the_values_hold()
    {
        string html = new HtmlDocument("t")
            .FilterBar("list", [new TableFilter("pair", "Pair", [PlotSamples.ScriptLabel])], search: "Search <b>")
            .CountedLinks([new CountedLink(PlotSamples.ScriptLabel, [new("kind", "unexpected"), new("pair", PlotSamples.ScriptLabel + " → javascript:x")], 12)])
            .ToHtml();

        Assert.Contains("<label>Search &lt;b&gt; <input type=\"search\" name=\"q\" autocomplete=\"off\"></label>", html);
        var href = Regex.Match(html, "<li><a href=\"([^\"]*)\">[^<]*</a> <span class=\"count\">12</span></li>");
        Assert.True(href.Success, html);
        // Percent-encoded behind "#filter:": nothing in it can end the attribute, start markup or leave the page.
        Assert.Matches("^#filter:kind=unexpected&amp;pair=[A-Za-z0-9%._~-]+$", href.Groups[1].Value);
        Assert.DoesNotContain(PlotSamples.ScriptLabel, html);
        Assert.Throws<ArgumentException>(() => new HtmlDocument("t").CountedLinks([new CountedLink("x", [new("a=b", "c")], 1)]));
    }

    [Fact]
    public void Views_show_the_first_figure_and_switch_without_script()
    {
        string svg = PlotSamples.Renderer.Render(PlotSamples.FlowsByRule());
        string html = new HtmlDocument("t").Views("pair-a-time", [("by verdict", svg), ("by rule", svg)]).ToHtml();

        Assert.Contains("<input type=\"radio\" name=\"pair-a-time\" id=\"pair-a-time-v0\" checked>", html);
        Assert.Contains("<input type=\"radio\" name=\"pair-a-time\" id=\"pair-a-time-v1\">", html);
        Assert.Contains("script-src 'none'", html);
        Assert.Throws<ArgumentException>(() => new HtmlDocument("t").Views("g", Enumerable.Repeat(("v", svg), HtmlDocument.MaxViews + 1).ToList()));
    }

    [Fact]
    public void Folds_and_sections_close_in_order()
    {
        var page = new HtmlDocument("t").BeginSection("s").BeginFold(2, "f");

        Assert.Throws<InvalidOperationException>(() => page.EndSection());
        Assert.EndsWith("</details>\n</section>\n</body>\n</html>\n", page.ToHtml());
    }
}
