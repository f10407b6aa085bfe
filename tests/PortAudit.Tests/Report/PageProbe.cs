using System.Globalization;
using System.Text.RegularExpressions;
using PortAudit.Tests.Report.Plot;

namespace PortAudit.Tests.Report;

/// <summary>
/// Times a report page as the page itself sees it, without the browser's start: a copy of the page with a probe
/// script after the page's own (the copy drops the policy that would refuse the probe), which records
/// <c>performance.now()</c> in attributes of the document element that <see cref="HeadlessChromium.DumpDom"/> shows.
/// </summary>
internal static partial class PageProbe
{
    /// <summary>Writes <paramref name="html"/>, less its Content-Security-Policy, with <paramref name="script"/> at the end of its body.</summary>
    public static void Write(string path, string html, string script) =>
        File.WriteAllText(path, Policy().Replace(html, "", 1).Replace("</body>", "<script>" + script + "</script></body>"));

    /// <summary>
    /// The DOMs of three runs of <paramref name="page"/> and the least value of <paramref name="attribute"/> among them:
    /// on a shared machine (or beside the rest of the suite) the best run is the page's own cost, the rest is the
    /// machine's.
    /// </summary>
    public static (double Best, IReadOnlyList<string> Doms) Best(string page, string workDir, string attribute)
    {
        var doms = Enumerable.Range(0, 3).Select(_ => HeadlessChromium.DumpDom(page, workDir)).ToList();
        return (doms.Min(dom => Attribute(dom, attribute)), doms);
    }

    /// <summary>The number in attribute <paramref name="name"/> of the dumped DOM.</summary>
    public static double Attribute(string dom, string name)
    {
        var match = Regex.Match(dom, name + "=\"([0-9.]+)\"");
        Assert.True(match.Success, $"the probe set no {name}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A probe that forces style and layout and records the time since navigation (<c>data-open-ms</c>), types
    /// <paramref name="term"/> into the first filter bar's search box as a reader would (an input event, so the page's
    /// debounce is paid too), and once the page has counted what it shows records the time again
    /// (<c>data-search-ms</c>) and the count (<c>data-shown</c>).
    /// </summary>
    public static string Search(string term) =>
        "var h=document.documentElement;document.body.offsetHeight;h.setAttribute('data-open-ms',performance.now());" +
        "var form=document.querySelector('form.filters'),q=form.querySelector('input[name=q]'),out=form.querySelector('output');" +
        "new MutationObserver(function(){document.body.offsetHeight;h.setAttribute('data-search-ms',performance.now());" +
        "h.setAttribute('data-shown',out.textContent);}).observe(out,{childList:true,characterData:true,subtree:true});" +
        $"q.value={System.Text.Json.JsonSerializer.Serialize(term)};q.dispatchEvent(new Event('input',{{bubbles:true}}));";

    /// <summary>An inventory from tools/bench/make-role-inventory.py that puts every /8 under a role, so most flows fall between role pairs.</summary>
    public static string RoleInventory(string dir)
    {
        string inventory = Path.Combine(dir, "inventory.yaml");
        var made = ExternalProgram.Run(ExternalProgram.Start("python3",
            [SharedData.InRepository("tools/bench/make-role-inventory.py"), SharedData.InRepository("rules/roles.yaml"), inventory]), TimeSpan.FromSeconds(30));
        Assert.True(made.ExitCode == 0, made.StandardError);
        return inventory;
    }

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\"[^>]*>")]
    private static partial Regex Policy();
}
