using System.Xml.Linq;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

[Trait(Tier.Name, Tier.Unit)]
public class EscapingTests
{
    public static TheoryData<string> HostileStrings => new(PlotSamples.Hostile);

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public void Text_and_attribute_read_back_literally(string hostile)
    {
        var element = XElement.Parse($"<t a=\"{MarkupEscaper.Attribute(hostile)}\" b='{MarkupEscaper.Attribute(hostile)}'>{MarkupEscaper.Text(hostile)}</t>");

        Assert.Equal(hostile, element.Value);
        Assert.Equal(hostile, (string?)element.Attribute("a"));
        Assert.Equal(hostile, (string?)element.Attribute("b"));
        Assert.Empty(element.Elements());
    }

    [Fact]
    public void Control_characters_and_lone_surrogates_become_replacement_characters_so_the_output_parses()
    {
        string hostile = "a\0b\u0001c\u001Fd\u007Fe\u0085f\uD800g\uDC00h\uFFFEi";
        var element = XElement.Parse($"<t a=\"{MarkupEscaper.Attribute(hostile)}\">{MarkupEscaper.Text(hostile)}</t>");

        string expected = "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh\uFFFDi";
        Assert.Equal(expected, element.Value);
        Assert.Equal(expected, (string?)element.Attribute("a"));
        Assert.Equal(expected, MarkupEscaper.Clean(hostile));
    }

    [Fact]
    public void Whitespace_and_surrogate_pairs_survive_both_contexts()
    {
        string label = "line1\r\nline2\tend 🔥";
        var element = XElement.Parse($"<t a=\"{MarkupEscaper.Attribute(label)}\">{MarkupEscaper.Text(label)}</t>");

        Assert.Equal(label, element.Value);
        Assert.Equal(label, (string?)element.Attribute("a"));
    }

    [Fact]
    public void Plain_text_is_returned_as_is()
    {
        const string plain = "edge-server 10.0.0.1:5061";
        Assert.Same(plain, MarkupEscaper.Text(plain));
        Assert.Equal("", MarkupEscaper.Text(null));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://example.com/#pair-a")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("#pair\"onmouseover=\"alert(1)")]
    [InlineData("#pair a")]
    [InlineData("#")]
    [InlineData("//evil/#x")]
    [InlineData("")]
    public void Links_other_than_same_page_fragments_are_refused(string href)
    {
        Assert.False(FragmentHref.IsSafe(href));
        Assert.Throws<ArgumentException>(() => new HeatmapCell("a", "b", 1, "expected", href));
    }

    [Fact]
    public void Anchor_ids_from_hostile_names_are_safe_and_distinct()
    {
        string a = FragmentHref.To("pair", PlotSamples.ScriptLabel, "front-end");
        string b = FragmentHref.To("pair", PlotSamples.ImgLabel, "front-end");
        string plain = FragmentHref.To("pair", "edge-server", "front-end");

        Assert.True(FragmentHref.IsSafe(a));
        Assert.True(FragmentHref.IsSafe(b));
        Assert.NotEqual(a, b);
        Assert.Equal("#pair--edge-server--front-end", plain);
        Assert.NotEqual(FragmentHref.To("pair", "Edge", "x"), FragmentHref.To("pair", "edge", "x"));
    }
}
