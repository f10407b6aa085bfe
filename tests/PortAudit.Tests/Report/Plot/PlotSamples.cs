using System.Xml.Linq;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

/// <summary>Charts shaped like the report's, and hostile labels of the kinds packets and inventories can carry.</summary>
internal static class PlotSamples
{
    public const string ScriptLabel = "<script>document.title='pwned-script'</script>";
    public const string ImgLabel = "\"><img src=x onerror=\"document.title='pwned-img'\">";
    public const string CdataLabel = "]]><x>&amp;'\"";
    public static readonly string[] Hostile = [ScriptLabel, ImgLabel, CdataLabel, "O'Brien \"quoted\" & <b>bold</b>"];

    public static readonly DateTime Start = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
    public static readonly SvgPlotRenderer Renderer = new();

    public static TimeSeriesChart BytesByVerdict(TimeSeriesLayout layout = TimeSeriesLayout.Stacked)
    {
        TimeSeries Series(string name, Func<int, double> value) =>
            new(name, Enumerable.Range(0, 30).Select(i => new TimePoint(Start.AddMinutes(i), value(i))));
        return new TimeSeriesChart("Bytes per minute by verdict", ValueUnit.Bytes,
        [
            Series("expected", i => 2_000_000 + 150_000 * (i % 7)),
            Series("expected-dynamic-rpc", i => 400_000 + 50_000 * (i % 5)),
            Series("protocol-mismatch", i => i is > 10 and < 15 ? 300_000 : 0),
            Series("unexpected", i => i % 9 == 0 ? 900_000 : 20_000),
        ], layout, "Bytes per minute");
    }

    public static TimeSeriesChart FlowsByRule() =>
        new("Flows per minute by rule", ValueUnit.Flows,
        [
            new TimeSeries("lync-sip-tls-5061", Enumerable.Range(0, 30).Select(i => new TimePoint(Start.AddMinutes(i), 10 + i % 6))),
            new TimeSeries("lync-media-50000-59999", Enumerable.Range(0, 30).Select(i => new TimePoint(Start.AddMinutes(i), 3 + i % 4))),
            new TimeSeries(ImgLabel, Enumerable.Range(0, 30).Select(i => new TimePoint(Start.AddMinutes(i), i % 3))),
        ]);

    public static BarChart BytesByPort() =>
        new("Bytes per port and protocol", ValueUnit.Bytes,
        [
            new BarCategory("tcp/5061 sip-tls", [new("expected", 48_000_000), new("unexpected", 1_200_000)]),
            new BarCategory("udp/50000-59999 rtp", [new("expected", 30_000_000)]),
            new BarCategory("tcp/135 msrpc", [new("expected-dynamic-rpc", 2_000_000), new("protocol-mismatch", 400_000)]),
            new BarCategory("tcp/443 " + ScriptLabel, [new("unexpected", 9_000_000)]),
            new BarCategory("udp/3478 stun", [new("unmapped", 700_000)]),
        ]);

    public static readonly string[] Roles = ["edge-server", "front-end", "sql-backend", "mediation", CdataLabel];

    public static Heatmap RoleMatrix()
    {
        string[] keys = ["expected", "expected-dynamic-rpc", "anomalous", "protocol-mismatch", "unexpected", "unmapped", "required-blocked"];
        var cells = new List<HeatmapCell>();
        for (int r = 0; r < Roles.Length; r++)
            for (int c = 0; c < Roles.Length; c++)
                if ((r + 2 * c) % 3 != 0)
                    cells.Add(new HeatmapCell(Roles[r], Roles[c], (r + 1) * (c + 3) * 37, keys[(r + c) % keys.Length],
                        FragmentHref.To("pair", Roles[r], Roles[c])));
        return new Heatmap("Flows between roles, coloured by worst verdict", "Client role", "Server role", Roles, Roles, cells,
            keyTitle: "Worst verdict");
    }

    public static XElement Parse(string svg) => XElement.Parse(svg);

    public static XNamespace Ns => "http://www.w3.org/2000/svg";

    public static IEnumerable<XElement> WithClass(this XElement root, string cssClass) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cssClass) == true);

    /// <summary>The text an element shows, without the tooltip text of its &lt;title&gt; child.</summary>
    public static string Shown(this XElement element) => string.Concat(element.Nodes().OfType<XText>().Select(t => t.Value));
}
