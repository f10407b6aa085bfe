using System.Text.RegularExpressions;
using PortAudit.Tests.Report.Plot;

namespace PortAudit.Tests.Report;

/// <summary>
/// report.html of a real estate's size: the bench corpus's base capture (80k packets of some 350 applications,
/// ../shared/bench/base.pcap) audited with an inventory that names every /8 (tools/bench/make-role-inventory.py), so
/// its 7.6k flows fall between ~380 role pairs with ~3,000 findings. The page must stay small, render fast and filter.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(TimedAlone.Name)]
public partial class LargeReportTests
{
    private const string Capture = "bench/base.pcap";

    /// <summary>Issue 14's bound, for the 36-copy corpus; this capture's report is about as large (the list is capped).</summary>
    private const long MaxBytes = 5 << 20;

    private static readonly TimeSpan MaxRender = TimeSpan.FromSeconds(3);

    [ChromiumFact(Capture)]
    public void A_large_report_is_small_renders_fast_and_its_findings_filter_by_kind()
    {
        string root = Path.Combine(Path.GetTempPath(), "portaudit-large-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        string inventory = PageProbe.RoleInventory(root);
        using var audit = new ReportAudit(SharedData.Path(Capture)!, inventory, SharedData.InRepository("rules"), exitCode: 1);
        string html = audit.Html;

        long size = new FileInfo(audit.HtmlPath).Length;
        Assert.True(size < MaxBytes, $"report.html is {size:N0} bytes");
        Assert.Matches(@"<p class=""more"">[\d,]+ more in report.json</p>", html);
        Assert.Contains("more role pairs in report.json", html);

        // Render time from navigation to the end of a forced layout (PageProbe), less that of a blank page with the
        // same probe: the browser's own share of a load is not the page's.
        string probe = Path.Combine(audit.Root, "probe.html"), blank = Path.Combine(audit.Root, "blank.html");
        PageProbe.Write(probe, html, ProbeScript);
        PageProbe.Write(blank, BlankPage, ProbeScript);
        double render = PageProbe.Best(probe, audit.Root, "data-render-ms").Best, baseline = PageProbe.Best(blank, audit.Root, "data-render-ms").Best;
        Console.WriteLine($"report.html {size:N0} bytes, rendered in {render:0} ms (a blank page: {baseline:0} ms)");
        Assert.True(render - baseline < MaxRender.TotalMilliseconds, $"render took {render:0} ms, a blank page {baseline:0} ms");

        // Selecting a kind in the filter bar (what the probe does, as a reader would) hides every row of another kind.
        string selected = HeadlessChromium.DumpDom(probe, audit.Root);
        AssertOnlyKind(selected, "required-blocked");
        // The selection is in the address, so a filtered view can be linked: opening it filters the real page.
        Assert.Contains("data-location=\"#filter:kind=required-blocked\"", selected);
        AssertOnlyKind(HeadlessChromium.DumpDom(audit.HtmlPath, audit.Root, "#filter:kind=required-blocked"), "required-blocked");
    }

    private const string BlankPage = "<!DOCTYPE html><html><body><p>blank</p><form class=\"filters\"><select name=\"kind\"></select></form></body></html>";

    /// <summary>Forces style and layout, records the time since navigation, then picks a kind as a reader would.</summary>
    private const string ProbeScript =
        "document.body.offsetHeight;document.documentElement.setAttribute('data-render-ms',performance.now());" +
        "var s=document.querySelector('form.filters select[name=kind]');s.value='required-blocked';s.dispatchEvent(new Event('change'));" +
        "document.documentElement.setAttribute('data-location',location.hash);";

    private static void AssertOnlyKind(string dom, string kind)
    {
        var rows = Row().Matches(dom).Select(m => (Kind: m.Groups["kind"].Value, Hidden: m.Value.Contains(" hidden"))).ToList();
        Assert.True(rows.Count > 100, $"{rows.Count} rows");
        Assert.Contains(rows, r => r.Kind == kind && !r.Hidden);
        Assert.All(rows, r => Assert.Equal(r.Kind != kind, r.Hidden));
        Assert.Matches($@"<option value=""{kind}"" selected="""">", dom);
        Assert.Matches(@"<output>\d+ of \d+ shown</output>", dom);
    }

    [GeneratedRegex("<tr [^>]*data-kind=\"(?<kind>[^\"]*)\"[^>]*>")]
    private static partial Regex Row();
}
