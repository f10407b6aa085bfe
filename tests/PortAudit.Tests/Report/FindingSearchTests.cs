using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Report;
using PortAudit.Report.Html;
using PortAudit.Report.Plot;
using PortAudit.Tests.Report.Plot;

namespace PortAudit.Tests.Report;

/// <summary>
/// Issue 47's bound: report.html with 5,000 findings opens and answers a search typed into its own box within 3 s in
/// headless Chromium, and the search leaves exactly the rows whose text holds every word typed, whatever their case.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(TimedAlone.Name)]
public sealed class FindingSearchTests : IDisposable
{
    private const int Findings = 5000;

    private static readonly TimeSpan MaxOpenAndSearch = TimeSpan.FromSeconds(3);

    private readonly string _root = Directory.CreateTempSubdirectory("portaudit-search-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The same probe's cost on a page of nothing, whose box answers at once.</summary>
    private const string BlankPage =
        "<!DOCTYPE html><html><body><form class=\"filters\"><input name=\"q\"><output></output></form>" +
        "<script>document.querySelector('input').addEventListener('input',function(){document.querySelector('output').textContent='0 of 0 shown';});</script></body></html>";

    [ChromiumFact]
    public void Five_thousand_findings_open_and_search_within_three_seconds()
    {
        // Every seventh says telnet, and the first hundred clients are client-00NN: both words hold for these alone.
        int expected = Enumerable.Range(0, Findings).Count(i => i % 7 == 0 && i < 100);
        string page = WritePage();
        Assert.Equal(Findings, FindingRows.Count(File.ReadAllText(page)));

        string probe = Path.Combine(_root, "probe.html"), blank = Path.Combine(_root, "blank.html");
        PageProbe.Write(probe, File.ReadAllText(page), PageProbe.Search("  TELNET   client-00 "));
        PageProbe.Write(blank, BlankPage, PageProbe.Search("x"));
        var (searched, doms) = PageProbe.Best(probe, _root, "data-search-ms");
        double baseline = PageProbe.Best(blank, _root, "data-search-ms").Best;
        Console.WriteLine($"{Findings:N0} findings: opened in {PageProbe.Attribute(doms[0], "data-open-ms"):0} ms, searched by {searched:0} ms " +
                          $"(a blank page: {baseline:0} ms)");
        Assert.True(searched - baseline <= MaxOpenAndSearch.TotalMilliseconds, $"open and search took {searched:0} ms, a blank page {baseline:0} ms");

        foreach (string dom in doms)
        {
            Assert.Contains($"data-shown=\"{expected} of {Findings} shown\"", dom);
            FindingRows.AssertShown(dom, expected, "telnet", "client-00");
        }
        // The search is in the address like the selects, so a searched view can be linked.
        FindingRows.AssertShown(HeadlessChromium.DumpDom(page, _root, "#filter:q=Telnet%20client-00"), expected, "telnet", "client-00");
    }

    /// <summary>A probe's function counting the list's rows the browser laid out (a row not shown has no height).</summary>
    private const string LaidRows =
        "function laid(){return Array.from(document.getElementById('findings-table').tBodies[0].rows).filter(function(r){return r.offsetHeight>0;}).length;}" +
        "var h=document.documentElement;h.setAttribute('data-laid',laid());";

    /// <summary>Rows laid out and the output's text, then the same after "show all" is pressed.</summary>
    private const string CountShownRows = LaidRows +
        "var out=document.querySelector('form.filters output');h.setAttribute('data-out',out.textContent);" +
        "document.querySelector('form.filters button.all').click();" +
        "h.setAttribute('data-laid-all',laid());h.setAttribute('data-out-all',out.textContent);" +
        "h.setAttribute('data-button-hidden',document.querySelector('form.filters button.all').hidden);";

    [ChromiumFact]
    public void The_list_lays_out_its_first_rows_until_the_reader_asks_for_all()
    {
        string page = WritePage();
        string probe = Path.Combine(_root, "count.html");
        PageProbe.Write(probe, File.ReadAllText(page), CountShownRows);

        string dom = HeadlessChromium.DumpDom(probe, _root);

        Assert.Equal(HtmlDocument.PagedRows, PageProbe.Attribute(dom, "data-laid"));
        Assert.Contains($"data-out=\"{HtmlDocument.PagedRows} of {Findings} shown\"", dom);
        Assert.Equal(Findings, PageProbe.Attribute(dom, "data-laid-all"));
        Assert.Contains($"data-out-all=\"{Findings} of {Findings} shown\"", dom);
        Assert.Contains("data-button-hidden=\"true\"", dom);
    }

    [ChromiumFact]
    public void Without_script_every_row_shows()
    {
        string html = File.ReadAllText(WritePage());
        // What a browser without script makes of the page: the head's <noscript> style applies, the page's script does
        // not run. The probe only counts the rows laid out.
        var noscript = System.Text.RegularExpressions.Regex.Match(html, "<noscript>(<style>[^<]*</style>)</noscript>");
        Assert.True(noscript.Success, "the head has no <noscript> style");
        html = html.Replace(noscript.Value, noscript.Groups[1].Value).Replace("<script>" + PageScript.Text + "</script>", "");
        string probe = Path.Combine(_root, "noscript.html");
        PageProbe.Write(probe, html, LaidRows);

        Assert.Equal(Findings, PageProbe.Attribute(HeadlessChromium.DumpDom(probe, _root), "data-laid"));
    }

    [ChromiumFact]
    public void A_search_reaches_the_rows_past_the_first_page()
    {
        string page = WritePage();
        // The last row the page lists: past the first page, laid out only once a search finds it.
        string last = FindingRows.Of(File.ReadAllText(page))[^1].Search.Split(' ')[0];

        string dom = HeadlessChromium.DumpDom(page, _root, "#filter:q=" + last);

        FindingRows.AssertShown(dom, 1, last);
        Assert.Contains($"<output>1 of {Findings} shown</output>", dom);
        Assert.DoesNotContain("class=\"sortable paged\"", dom);
    }

    private static Finding Finding(int i)
    {
        var kind = (FindingKind)(i % 3);
        string[] client = [i % 5 == 0 ? "edge" : "workstation"], server = ["domain-controller"];
        return new Finding(kind, $"client-{i:D4}", $"server-{i % 40}", client, server, "tcp", (1024 + i % 600).ToString(),
            null, i % 7 == 0 ? "Telnet to a server" : "no rule allows it") { RolePair = (client[0], server[0]) };
    }

    /// <summary>report.html of the <see cref="Findings"/> findings <see cref="Finding"/> makes.</summary>
    private string WritePage() => FindingPage.Write(_root, Enumerable.Range(0, Findings).Select(Finding).ToList());
}
