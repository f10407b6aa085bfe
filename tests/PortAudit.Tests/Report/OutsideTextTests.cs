using System.Text;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Pipeline;
using PortAudit.Report.Audits;
using PortAudit.Report.Plot;
using PortAudit.Report.Records;
using PortAudit.Report.Text;
using PortAudit.Sources.Files;
using PortAudit.Tests.Audit;
using PortAudit.Tests.Catalog;

namespace PortAudit.Tests.Report;

/// <summary>
/// Inventory names that carry markup, Markdown syntax, ANSI escapes, newlines and bidi overrides, audited in process:
/// report.md, the console summary, report.json and flows.jsonl show them as text and are not changed by them.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class OutsideTextReportTests : IDisposable
{
    private readonly TempCatalog _catalog = new(AuditCommandTests.Rules);

    public void Dispose() => _catalog.Dispose();

    private string OutDir => Path.Combine(_catalog.Root, "out");

    private string Markdown => File.ReadAllText(Path.Combine(OutDir, "report.md"));

    /// <summary>Audits ws (10.0.0.1) opening 135 (expected) and 22 (unexpected) on srv; <paramref name="client"/> is the YAML of ws's entry.</summary>
    private AuditOutcome Run(string client, string segments = "")
    {
        string capture = AuditCommandTests.WriteCapture(_catalog.Root, 135, 22);
        string inventory = Path.Combine(_catalog.Root, "inventory.yaml");
        File.WriteAllText(inventory, $"""
            hosts:
            {client}
              - name: srv
                addresses: [10.0.0.2]
                roles: [server]
            {segments}
            """);
        var catalog = CatalogLoader.Load(_catalog.Dir);
        var context = AuditContext.Create(catalog, InventoryLoader.Load(inventory, catalog));
        var settings = new AuditSettings { OutputDirectory = OutDir, InventoryName = inventory, CatalogName = _catalog.Dir };
        using var run = new AuditRun(context, settings, new FlowTableOptions());
        return run.Run(CaptureFileSource.Of([capture]));
    }

    /// <summary>ws's entry with <paramref name="name"/>, a YAML double-quoted scalar (escapes such as \e and \u202E allowed).</summary>
    private AuditOutcome RunNamed(string name) => Run($"""
          - name: "{name}"
            addresses: [10.0.0.1]
            roles: [client]
        """);

    private static string Console(AuditOutcome outcome)
    {
        var console = new StringWriter();
        AuditConsoleSummary.Write(console, outcome.Report, "out");
        return console.ToString();
    }

    /// <summary>The findings row of report.md for the flow to port 22, a finding of <paramref name="kind"/>.</summary>
    private string FindingRow(string kind = "unexpected") =>
        Assert.Single(Markdown.Split('\n'), line => line.Contains($"| {kind} |") && line.Contains("| 22/tcp |"));

    /// <summary>Cell separators of a Markdown table row: pipes not escaped with a backslash.</summary>
    private static int Separators(string row) => row.Where((c, i) => c == '|' && (i == 0 || row[i - 1] != '\\')).Count();

    [Fact]
    public void Markup_in_a_host_name_reaches_report_md_as_text()
    {
        RunNamed("<svg onload=alert(1)>");

        string markdown = Markdown;
        Assert.DoesNotContain("<svg", markdown);
        Assert.Contains("| &lt;svg onload=alert(1)&gt; (client) |", FindingRow());
    }

    [Fact]
    public void Pipes_and_backticks_in_a_segment_name_keep_the_row_and_show_literally()
    {
        Run("", """
            segments:
              - name: "lab|`rm -rf`|*x*"
                cidrs: [10.0.0.0/24]
            """);

        // ws is not named: its flows are unmapped findings from the segment.
        string row = FindingRow("unmapped");
        string header = Assert.Single(Markdown.Split('\n'), line => line.StartsWith("| id | severity |"));
        Assert.Equal(Separators(header), Separators(row));
        Assert.Contains(@"lab\|\`rm -rf\`\|\*x\*", row);
        Assert.DoesNotContain("`rm", row.Replace(@"\`", ""));
    }

    [Fact]
    public void Ansi_escapes_and_newlines_in_a_host_name_are_shown_not_acted_on()
    {
        var outcome = RunNamed(@"ws\e[31mred\nforged line");

        string console = Console(outcome);
        Assert.DoesNotContain('\u001b', console);
        Assert.DoesNotContain("\nforged line", console);
        Assert.Contains(@"ws\u001B[31mred\nforged line -> srv 22/tcp", console);

        string markdown = Markdown;
        Assert.DoesNotContain('\u001b', markdown);
        Assert.DoesNotContain("\nforged line", markdown);
        Assert.Contains(@"| ws\u001B\[31mred\nforged line (client) |", FindingRow());
    }

    [Fact]
    public void A_bidi_override_in_a_host_name_is_shown_in_every_output()
    {
        var outcome = RunNamed(@"ws\u202Egpj.exe");

        Assert.Contains(@"ws\u202Egpj.exe -> srv", Console(outcome));
        Assert.Contains(@"| ws\u202Egpj.exe (client) |", FindingRow());
        foreach (string file in new[] { "report.md", "report.json", "flows.jsonl", "report.html", "findings.csv" })
        {
            string text = File.ReadAllText(Path.Combine(OutDir, file));
            Assert.False(text.Contains('\u202E'), file + ": " + text);
            Assert.Contains(@"ws\u202Egpj.exe", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void FindingsCsvHasOneRowPerFindingAndAHostNameThatWouldStartAFormulaIsText()
    {
        var outcome = RunNamed("=cmd|' /C calc'!A0");

        var lines = File.ReadAllLines(Path.Combine(OutDir, "findings.csv"));
        Assert.Equal(string.Join(',', FindingsCsvWriter.Columns), lines[0]);
        var finding = Assert.Single(outcome.Report.Findings);
        Assert.Equal(2, lines.Length);
        // The name is quoted and starts with ' inside the quotes: a spreadsheet shows it, never runs it.
        Assert.StartsWith($"{finding.Id},unexpected,{finding.Severity.Name()},\"'=cmd|' /C calc'!A0\",srv,client,server,tcp,22,,", lines[1]);
        Assert.Contains(",1,", lines[1]);
        Assert.Matches(@",\d{4}-\d\d-\d\dT[\d:.]+Z,\d{4}-\d\d-\d\dT[\d:.]+Z,\d+,,$", lines[1]);
    }

    [Fact]
    public void Ordinary_names_are_written_unchanged()
    {
        foreach (string name in new[] { "ws_01", "demo-epm", "10.0.0.1", "srv.example.com", "2001:db8::1", "caf\u00e9", "a b" })
        {
            Assert.Same(name, OutsideText.Terminal(name));
            Assert.Same(name, OutsideText.Markdown(name));
        }
        Assert.Equal(@"\_x \_ a\_", OutsideText.Markdown("_x _ a_"));
    }

    [Fact]
    public void Html_shows_bidi_controls_as_text()
    {
        Assert.Equal(@"a\u202Eb\u2066c\u200F", MarkupEscaper.Text("a\u202Eb\u2066c\u200F"));
        Assert.Equal(MarkupEscaper.Text("a\u202Eb"), MarkupEscaper.Clean("a\u202Eb"));
    }
}

/// <summary>flows.csv cells from packets: formulas made text, bidi and control characters shown, RFC 4180 quoting kept.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class CsvNeutralisingTests
{
    /// <summary>The CSV row of a flow whose appDetail is <paramref name="detail"/>, from its app column on.</summary>
    private static string Row(string detail)
    {
        var flow = new Flow(1, IpProtocol.Tcp, IpAddr.FromV4(0x0A00_0001), 50000, IpAddr.FromV4(0x0A00_0002), 80, 1_000_000_000L, opened: true);
        flow.App = AppLabel.Of("http");
        flow.AppDetail = AppDetail.Of(detail);
        var output = new MemoryStream();
        using (var writer = new CsvFlowWriter(output))
        {
            writer.Write(flow);
            writer.Complete();
        }
        string csv = Encoding.UTF8.GetString(output.ToArray());
        Assert.StartsWith(string.Join(',', FlowFields.Names) + "\n", csv);
        return csv[csv.IndexOf(",http,", StringComparison.Ordinal)..];
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "\"'+1\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\t=1", "\"'\t=1\"")]
    [InlineData("host=a,b", "\"host=a,b\"")]
    [InlineData("host=example.com", "host=example.com")]
    public void A_cell_that_would_start_a_formula_is_quoted_text(string detail, string cell) =>
        Assert.StartsWith(",http," + cell + ",", Row(detail));

    [Fact]
    public void Bidi_and_control_characters_are_shown_as_escapes()
    {
        Assert.StartsWith(@",http,host=ws\u202Egpj.exe,", Row("host=ws\u202Egpj.exe"));
        Assert.StartsWith(@",http,a\u001B[31mb,", Row("a\u001b[31mb"));
        Assert.StartsWith(",http,\"a\r\nb\",", Row("a\r\nb"));
    }
}

/// <summary>JSON documents keep relaxed escaping for people ('+', quotes, markup) but never carry a raw bidi control.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class JsonBidiEscapingTests
{
    [Theory]
    [InlineData("ws\u202Egpj.exe", @"""ws\u202Egpj.exe""")]
    [InlineData("\u2066a\u2069\u200E\u200F\u061C", @"""\u2066a\u2069\u200E\u200F\u061C""")]
    [InlineData("a+b <c> caf\u00e9", "\"a+b <c> caf\u00e9\"")]
    [InlineData("line\nbreak\u001b", @"""line\nbreak\u001B""")]
    [InlineData("a long name past the width of a vector ws\u202Egpj.exe", @"""a long name past the width of a vector ws\u202Egpj.exe""")]
    public void Strings_are_written_relaxed_with_bidi_controls_escaped(string value, string json)
    {
        var output = new StringWriter();
        PortAudit.Report.Json.JsonOutput.Write(output, writer => writer.WriteStringValue(value));
        Assert.Equal(json + "\n", output.ToString());
        var serialized = System.Text.Json.JsonSerializer.Serialize(value, PortAudit.Report.Json.JsonOutput.Serializer);
        Assert.Equal(json, serialized);
    }
}

/// <summary>The first bidi control of a text is found wherever it stands, after ASCII, Latin or other text above U+061C.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class BidiSearchTests
{
    public static TheoryData<string, int> Texts => new()
    {
        { "", -1 },
        { "plain ascii, longer than one vector of characters", -1 },
        { "caf\u00e9 \u0627\u2010\u2070", -1 },                       // in and around the bidi range, none of them bidi
        { "\u202E", 0 },
        { new string('a', 70) + "\u2069", 70 },
        { new string('\u00e9', 33) + "\u2010\u200F\u202E", 34 },        // a non-bidi character of the range comes first
        { "\u0627\u061C", 1 },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void IndexOfBidi_finds_the_first_bidi_control(string text, int expected)
    {
        Assert.Equal(expected, OutsideText.IndexOfBidi(text));
        Assert.Equal(expected >= 0, OutsideText.HasActive(text));
    }

    [Fact]
    public void Every_control_and_bidi_control_is_active_and_nothing_else()
    {
        for (int c = 0; c <= char.MaxValue; c++)
        {
            bool expected = char.IsControl((char)c) || "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069".Contains((char)c);
            Assert.True(expected == OutsideText.IsActive((char)c), $"U+{c:X4}");
            Assert.Equal(expected, OutsideText.HasActive(new string('a', 40) + (char)c));
        }
    }
}
