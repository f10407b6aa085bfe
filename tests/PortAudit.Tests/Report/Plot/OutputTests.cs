using System.Text;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

[Trait(Tier.Name, Tier.Unit)]
public sealed class OutputTests
{
    [Fact]
    public void Page_is_self_contained_escaped_and_allows_only_its_own_script()
    {
        string html = new HtmlDocument(PlotSamples.ScriptLabel)
            .Heading(1, PlotSamples.ImgLabel, "top")
            .Paragraph(PlotSamples.CdataLabel)
            .Figure(PlotSamples.Renderer.Render(PlotSamples.BytesByPort()), "caption")
            .Table(["host", "bytes"], [[PlotSamples.ScriptLabel, "10"]])
            .Link("back", "#top")
            .ToHtml();

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script>"));
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https://", html);
        Assert.Contains("&lt;script&gt;document.title=", html);
        string hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(PageScript.Text)));
        Assert.Contains($"script-src 'sha256-{hash}'", html);
    }

    [Fact]
    public void Page_without_sortable_tables_allows_no_script()
    {
        string html = new HtmlDocument("t").Paragraph("p").ToHtml();

        Assert.DoesNotContain("<script", html);
        Assert.Contains("script-src 'none'", html);
    }

    [Fact]
    public void Unsafe_ids_and_links_are_refused()
    {
        var page = new HtmlDocument("t");
        Assert.Throws<ArgumentException>(() => page.Heading(2, "x", "a\" onclick=\"x"));
        Assert.Throws<ArgumentException>(() => page.Link("x", "javascript:alert(1)"));
    }
}
