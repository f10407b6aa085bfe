using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

/// <summary>
/// <see cref="SvgSafety"/> reads markup with its own strict reader instead of an XML parser: what XML would hide behind
/// references, prefixes or declarations is still seen, and what falls outside the subset is refused.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SvgSafetyTests
{
    private const string Open = "<svg xmlns=\"http://www.w3.org/2000/svg\"";

    [Theory]
    [InlineData(Open + "><a href=\"&#106;avascript:alert(1)\"/></svg>", "leaves the page")]
    [InlineData(Open + "><a href=\"&#x23;x&#x22;\"/></svg>", "leaves the page")]
    [InlineData(Open + " xmlns:s=\"http://www.w3.org/2000/svg\"><s:script>alert(1)</s:script></svg>", "<script>")]
    [InlineData(Open + " xmlns:x=\"http://www.w3.org/1999/xlink\"><a x:href=\"http://example.org/\"/></svg>", "leaves the page")]
    [InlineData(Open + "><rect ONCLICK=\"alert(1)\"/></svg>", "event handler 'ONCLICK'")]
    [InlineData(Open + "><rect fill=\"u&#114;l(https://x/y)\"/></svg>", "url()")]
    [InlineData(Open + "><g><STYLE/></g></svg>", "<STYLE> is not allowed")]
    public void References_prefixes_and_case_do_not_hide_a_problem(string svg, string problem) =>
        Assert.Contains(problem, SvgSafety.Problem(svg));

    [Theory]
    [InlineData("<!DOCTYPE svg [<!ENTITY x \"y\">]>" + Open + "/>")]
    [InlineData(Open + "><?php echo 1 ?></svg>")]
    [InlineData(Open + "><x:rect/></svg>")]
    [InlineData(Open + "/><svg/>")]
    [InlineData(Open + ">&bogus;</svg>")]
    [InlineData(Open + "><rect a=\"1\" a=\"2\"/></svg>")]
    [InlineData(Open + "><rect a=1/></svg>")]
    [InlineData(Open + "><text>\u0001</text></svg>")]
    [InlineData(Open + "><text>a ]]> b</text></svg>")]
    [InlineData(Open + "><text>a < b</text></svg>")]
    [InlineData(Open + ">")]
    [InlineData(" " + "<?xml version=\"1.0\"?>" + Open + "/>")]
    [InlineData("text" + Open + "/>")]
    public void Markup_outside_the_strict_subset_is_not_well_formed(string svg) =>
        Assert.StartsWith("not well-formed: ", SvgSafety.Problem(svg));

    [Fact]
    public void A_problem_after_which_the_document_breaks_is_reported_as_not_well_formed() =>
        Assert.StartsWith("not well-formed: ", SvgSafety.Problem(Open + "><script/><rect></svg>"));

    [Fact]
    public void Declarations_comments_cdata_references_and_declared_prefixes_are_accepted()
    {
        string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- chart -->" + Open
            + " xmlns:xlink=\"http://www.w3.org/1999/xlink\">\r\n<title>a &lt; b &amp; &#x1F600; \U0001F600</title>"
            + "<text><![CDATA[x < y]]></text><a xlink:href=\"#p-1\" fill='url(#grad)'><rect xml:space=\"preserve\"/></a></svg>\n";
        Assert.Null(SvgSafety.Problem(svg));
    }
}
