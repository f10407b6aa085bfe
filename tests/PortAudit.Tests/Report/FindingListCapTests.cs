using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Report;
using PortAudit.Report.Html;

namespace PortAudit.Tests.Report;

/// <summary>
/// report.html's findings list past its cap (<see cref="FindingListSection.MaxRows"/>): it lists the worst, says how many
/// report.json holds and how many more there are, and what it leaves out is the least urgent.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FindingListCapTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("portaudit-cap-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Past_its_cap_the_list_keeps_the_worst_and_says_how_many_report_json_holds()
    {
        // Three medium findings (unexpected traffic) first in the input, then the cap's worth of high ones (required flows
        // blocked): the page has room for the high ones alone.
        const int Medium = 3;
        var findings = Enumerable.Range(0, Medium).Select(i => Finding(FindingKind.Unexpected, i))
            .Concat(Enumerable.Range(Medium, FindingListSection.MaxRows).Select(i => Finding(FindingKind.RequiredBlocked, i)))
            .ToList();
        Assert.All(findings.Take(Medium), f => Assert.Equal(Severity.Medium, f.Severity));

        string html = WritePage(findings);
        var rows = FindingRows.Of(html);

        Assert.Equal(FindingListSection.MaxRows, rows.Count);
        Assert.All(rows, r => Assert.Equal("required-blocked", r.Kind));
        Assert.Contains("The 5000 worst of 5,003 findings; report.json lists them all.", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"more\">3 more in report.json</p>", html, StringComparison.Ordinal);
        // The medium ones, first in the input, are what the page leaves out.
        Assert.DoesNotContain(rows, r => new[] { "client-0000", "client-0001", "client-0002" }.Any(c => r.Search.Contains(c, StringComparison.Ordinal)));
    }

    [Fact]
    public void At_its_cap_the_list_is_whole_and_says_nothing_of_more()
    {
        var findings = Enumerable.Range(0, FindingListSection.MaxRows).Select(i => Finding(FindingKind.Unexpected, i)).ToList();

        string html = WritePage(findings);

        Assert.Equal(FindingListSection.MaxRows, FindingRows.Count(html));
        Assert.DoesNotContain("worst of", html, StringComparison.Ordinal);
        Assert.DoesNotContain("more in report.json</p>", html.Split("id=\"findings\"")[1].Split("</section>")[0], StringComparison.Ordinal);
    }

    private static Finding Finding(FindingKind kind, int i) =>
        new(kind, $"client-{i:D4}", "server-1", ["workstation"], ["domain-controller"], "tcp", (1024 + i % 600).ToString(),
            null, "no rule allows it") { RolePair = ("workstation", "domain-controller") };

    private string WritePage(IReadOnlyList<Finding> findings) => File.ReadAllText(FindingPage.Write(_root, findings));
}
