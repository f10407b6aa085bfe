using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PortAudit.Tests.Report.Plot;

namespace PortAudit.Tests.Report;

/// <summary>
/// Issue 47's "done when": report.html of a 20-capture audit (shared captures of many protocols, an inventory that
/// puts every /8 under a role) has a title that names the run's scope within 120 characters, findings grouped by kind
/// and role pair whose counts add up to the findings and lead to them, and a search that leaves only matching rows.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
public sealed partial class TwentyCaptureReportTests
{
    private static readonly string[] Captures =
    [
        "dns.pcap", "dcerpc.pcap", "kerberos.pcap", "mssql_tds.pcap", "netbios.pcap", "rdp.pcap", "sip.pcap", "smb_deletefile.pcap",
        "smbv1.pcap", "snmp.pcap", "smtp-starttls.pcap", "imap-starttls.pcap", "pop3_stls.pcap", "ocs.pcap", "stun.pcap", "jabber.pcap",
        "nntp.pcap", "NTPv4.pcap", "zeek-ldap-aduser1.pcap", "zeek-smb-smb2.pcap",
    ];

    [ChromiumFact("captures")]
    public void A_twenty_capture_report_has_a_short_title_counted_groups_and_a_search()
    {
        string root = Directory.CreateTempSubdirectory("portaudit-twenty-").FullName;
        try
        {
            using var audit = new ReportAudit(Captures.Select(c => SharedData.Path("captures/" + c)!).ToList(), PageProbe.RoleInventory(root),
                SharedData.InRepository("rules"), exitCode: 1);
            string html = audit.Html;
            var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(audit.OutDir, "report.json"))).RootElement.GetProperty("findings");
            int findings = json.GetArrayLength();

            string title = WebUtility.HtmlDecode(Title().Match(html).Groups[1].Value);
            Assert.True(title.Length <= 120, $"{title.Length} characters: {title}");
            Assert.Contains("20 inputs", title);
            Assert.Contains("inventory inventory.yaml", title);

            var rows = FindingRows.Of(html);
            Assert.Equal(findings, rows.Count);
            var groups = Groups(html);
            Assert.True(groups.Count > 1, $"{groups.Count} kinds");
            Assert.Equal(findings, groups.Sum(g => g.Count));
            foreach (var kind in groups)
            {
                Assert.Equal(kind.Count, kind.Pairs.Sum(p => p.Count));
                foreach (var pair in kind.Pairs)
                    Assert.Equal(rows.Count(r => r.Kind == kind.Name && r.Pair == pair.Label), pair.Count);
            }
            // A group's link, clicked, filters the list to its rows (and to those alone).
            var largest = groups.SelectMany(g => g.Pairs).MaxBy(p => p.Count)!;
            string clicked = Path.Combine(audit.Root, "clicked.html");
            PageProbe.Write(clicked, html, $"var href={JsonSerializer.Serialize(largest.Href)};" +
                "Array.from(document.querySelectorAll('ul.counts a')).find(function(a){return a.getAttribute('href')===href;}).click();");
            var linked = FindingRows.Of(HeadlessChromium.DumpDom(clicked, audit.Root));
            Assert.Equal(largest.Count, linked.Count(r => !r.Hidden));
            Assert.All(linked, r => Assert.Equal(r.Hidden, $"{r.Kind}|{r.Pair}" != $"{largest.Kind}|{largest.Label}"));

            // The server host fewest findings name, typed into the page's own box (in capitals: the search ignores case).
            string term = json.EnumerateArray().Select(f => f.GetProperty("serverHost").GetString()!.ToLowerInvariant())
                .GroupBy(h => h).OrderBy(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            string probe = Path.Combine(audit.Root, "probe.html");
            PageProbe.Write(probe, html, PageProbe.Search(term.ToUpperInvariant()));
            string dom = HeadlessChromium.DumpDom(probe, audit.Root);
            int matching = rows.Count(r => r.Search.Contains(term, StringComparison.Ordinal));
            Assert.InRange(matching, 1, findings - 1);
            FindingRows.AssertShown(dom, matching, term);
            Assert.Contains($"data-shown=\"{matching} of {findings} shown\"", dom);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed record Pair(string Kind, string Label, string Href, int Count);

    private sealed record Kind(string Name, int Count, IReadOnlyList<Pair> Pairs);

    /// <summary>The kind folds above the list: each kind's count in its summary, its pairs' counts and links below.</summary>
    private static List<Kind> Groups(string html) =>
        KindFold().Matches(html).Select(m => new Kind(WebUtility.HtmlDecode(m.Groups["kind"].Value), int.Parse(m.Groups["count"].Value.Replace(",", "")),
            PairLink().Matches(m.Groups["pairs"].Value).Select(p => new Pair(WebUtility.HtmlDecode(m.Groups["kind"].Value), WebUtility.HtmlDecode(p.Groups["label"].Value),
                WebUtility.HtmlDecode(p.Groups["href"].Value), int.Parse(p.Groups["count"].Value))).ToList())).ToList();

    [GeneratedRegex("<title>([^<]*)</title>")]
    private static partial Regex Title();

    [GeneratedRegex("<details><summary><h4>(?<kind>[^<]*)</h4><span>(?<count>[\\d,]+) findings?, [\\d,]+ role pairs?</span></summary>\\n<ul class=\"counts\">(?<pairs>.*?)</ul>")]
    private static partial Regex KindFold();

    [GeneratedRegex("<li><a href=\"(?<href>#filter:[^\"]*)\">(?<label>[^<]*)</a> <span class=\"count\">(?<count>\\d+)</span></li>")]
    private static partial Regex PairLink();
}
