using System.Text.RegularExpressions;
using PortAudit.Tests.Report.Plot;

namespace PortAudit.Tests.Report;

/// <summary>report.html of real captures audited by the CLI: the lab sample in captures/ and a shared capture.</summary>
[Trait(Tier.Name, Tier.Browser)]
public class EndToEndReportTests
{
    /// <summary>Flows over time in two views (by verdict, by rule), and bytes per port.</summary>
    private const int PlotsPerPair = 3;

    private static ReportAudit SipLab(string extra = "") => new(SharedData.InRepository("captures/sip-lab.pcapng"),
        SharedData.InRepository("captures/sip-lab.yaml"), SharedData.InRepository("rules"), exitCode: 1, extra);

    private static void AssertMatrixAndPairPlots(string html, int pairs)
    {
        var sections = PageStructure.SvgsPerSection(html);
        Assert.Equal(pairs, sections.Keys.Count(id => id.StartsWith("pair--", StringComparison.Ordinal)));
        Assert.All(sections.Where(s => s.Key.StartsWith("pair--", StringComparison.Ordinal)), s => Assert.Equal(PlotsPerPair, s.Value));
        Assert.Contains("id=\"matrix\"", html);
        // Every matrix cell links to a pair section that exists.
        foreach (string id in sections.Keys.Where(id => id.StartsWith("pair--", StringComparison.Ordinal)))
            Assert.Contains($"href=\"#{id}\"", html);
    }

    [Fact]
    public void The_lab_sample_report_has_the_verdict_the_matrix_and_a_section_per_pair()
    {
        using var audit = SipLab();
        string html = audit.Html;

        Assert.Contains("Action needed: 1 high-severity finding (1 required-blocked)", html);
        Assert.Contains("sip-lab.pcapng", html);
        Assert.Contains("2026-11-21 06:51:09.056910Z to 2026-11-21 06:51:11.159092Z", html);
        AssertMatrixAndPairPlots(html, pairs: 2);
        // Findings first, worst first, before any folded section (the only folds above the list are its own counts
        // by kind): the high-severity row, then the medium one.
        int list = html.IndexOf("id=\"findings-table\"", StringComparison.Ordinal);
        Assert.True(list > 0 && list < html.IndexOf("<details", html.IndexOf("</section>", StringComparison.Ordinal), StringComparison.Ordinal));
        Assert.All(Regex.Matches(html[..list], "<details[ >].{0,20}").Select(m => m.Value), fold => Assert.StartsWith("<details><summary><h4>", fold));
        int high = html.IndexOf("data-kind=\"required-blocked\"", StringComparison.Ordinal), medium = html.IndexOf("data-kind=\"unexpected\"", StringComparison.Ordinal);
        Assert.True(high > list && medium > high, $"rows at {high} and {medium}");
        // The blocked SIP/TLS attempt with its rule's source row from the seed document.
        Assert.Contains("lync-fe-sip-tls", html);
        Assert.Contains("§", html);
        Assert.Contains("rejected", html);
    }

    [Fact]
    public void Plots_option_writes_every_plot_of_the_page_as_png_and_svg()
    {
        using var audit = SipLab();
        string plots = Path.Combine(audit.Root, "plots");
        using var withPlots = SipLab($"--plots \"{plots}\"");

        var svgs = Directory.GetFiles(plots, "*.svg");
        var pngs = Directory.GetFiles(plots, "*.png");
        Assert.Equal(PageStructure.Count(withPlots.Html, "svg"), svgs.Length);
        Assert.Equal(svgs.Select(Path.GetFileNameWithoutExtension).Order(), pngs.Select(Path.GetFileNameWithoutExtension).Order());
        Assert.Contains(pngs, f => Path.GetFileName(f) == "plot--role-matrix.png");
        Assert.All(svgs, f => Assert.StartsWith("<?xml", File.ReadAllText(f)));
    }

    [ChromiumFact]
    public void The_lab_sample_report_renders_in_a_browser_with_matrix_and_plots()
    {
        using var audit = SipLab();
        string png = Environment.GetEnvironmentVariable("PORTAUDIT_REPORT_SCREENSHOT") ?? Path.Combine(audit.Root, "report.png");

        HeadlessChromium.Screenshot(audit.HtmlPath, png, audit.Root, 1200, 2400);
        string dom = HeadlessChromium.DumpDom(audit.HtmlPath, audit.Root);

        AssertMatrixAndPairPlots(dom, pairs: 2);
        Assert.Contains("data-script=\"ready\"", dom);
        var image = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image[..4]);
        // A blank page of this size compresses to a few KB; text and plots do not.
        Assert.True(image.Length > 50_000, $"screenshot is only {image.Length} bytes");
    }

    private static ReportAudit LabWithFirewall() => new(SharedData.InRepository("captures/lab.pcapng"), SharedData.InRepository("captures/lab.yaml"),
        SharedData.InRepository("rules"), exitCode: 1, $"--firewall fe01=\"{SharedData.InRepository("captures/lab-fe01.json")}\":nft-json");

    // The markup of the table with this id.
    private static string Table(string html, string tableId)
    {
        int start = html.IndexOf($"<table id=\"{tableId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no table {tableId}");
        return html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
    }

    // The first cell of each row of the table with this id, in page order.
    private static List<string> FirstCells(string html, string tableId) =>
        System.Text.RegularExpressions.Regex.Matches(Table(html, tableId), "<tr[^>]*><td>([^<]*)</td>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    [Fact]
    public void The_firewall_section_has_the_rows_of_report_md_with_their_standing()
    {
        using var audit = LabWithFirewall();
        string html = audit.Html;
        string markdown = File.ReadAllText(Path.Combine(audit.OutDir, "report.md"));

        // The same rule and instance rows as report.md's "Firewall fe01", in the same order.
        string section = markdown[markdown.IndexOf("## Firewall fe01", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var mdRows = section.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| ---", StringComparison.Ordinal))
            .Select(l => l[2..l.IndexOf(" |", 2, StringComparison.Ordinal)].Replace("\\", "", StringComparison.Ordinal)).ToList();
        var htmlRows = FirstCells(html, "firewall-1-instances").Concat(FirstCells(html, "firewall-1-rules")).ToList();
        Assert.Equal(mdRows.Where(r => r is not ("required rule" or "rule")), htmlRows);
        // Nine required instances: fe01 is a Front End, so also a lync-server (roles.yaml implies), and takes SQL Browser from the Edge.
        Assert.Equal(9, FirstCells(html, "firewall-1-instances").Count);
        Assert.Equal(6, FirstCells(html, "firewall-1-rules").Count);
        // The required flow it refuses and the rule nothing needs stand out; the rules nothing used say so.
        Assert.Contains("<tr class=\"high\" data-policy=\"blocked\"><td>lync-fe-sip-tls</td>", html);
        Assert.Contains("<tr class=\"medium\" data-standing=\"unjustified\" data-use=\"used\"><td>inet palab_fw input#6</td>", html);
        Assert.Contains("data-standing=\"justified\" data-use=\"unused\"><td>inet palab_fw input#8</td>", html);
        Assert.Matches(@"<td>inet palab_fw input#4</td>(<td>[^<]*</td>){5}<td>1 \(flow \d+\)</td>", html);
    }

    [ChromiumFact]
    public void The_firewall_section_filters_rules_by_standing_in_a_browser()
    {
        using var audit = LabWithFirewall();

        string dom = HeadlessChromium.DumpDom(audit.HtmlPath, audit.Root, "#filter:standing=unjustified");

        var rows = System.Text.RegularExpressions.Regex.Matches(Table(dom, "firewall-1-rules"), "<tr ([^>]*)><td>([^<]*)</td>")
            .Select(m => (Id: m.Groups[2].Value, Hidden: m.Groups[1].Value.Contains("hidden", StringComparison.Ordinal))).ToList();
        Assert.Equal(6, rows.Count);
        // SIP over TCP from anyone on 5060 and HTTP on 8000: no catalog rule of the lab's needs either.
        Assert.Equal(["inet palab_fw input#3", "inet palab_fw input#6"], rows.Where(r => !r.Hidden).Select(r => r.Id));
        Assert.Contains("<output>2 of 6 shown</output>", dom);
        Assert.Contains("data-script=\"ready\"", dom);
    }

    [SharedDataFact("captures/sv-dcerpc-zerologon.pcap")]
    public void A_shared_capture_report_renders_every_pair_with_traffic()
    {
        using var audit = new ReportAudit(SharedData.Path("captures/sv-dcerpc-zerologon.pcap")!,
            SharedData.InRepository("tests/PortAudit.Tests/Audit/Inventories/sv-dcerpc-zerologon.yaml"), SharedData.InRepository("rules"), exitCode: 0);
        string html = audit.Html;

        AssertMatrixAndPairPlots(html, pairs: 1);
        Assert.Contains("expected-dynamic-rpc", html);
        if (File.Exists(ChromiumFactAttribute.Executable))
            AssertMatrixAndPairPlots(HeadlessChromium.DumpDom(audit.HtmlPath, audit.Root), pairs: 1);
    }
}
