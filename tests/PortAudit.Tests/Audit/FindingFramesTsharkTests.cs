using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Findings' frame numbers and display filters against tshark: the filter of every finding shows the frames the finding
/// names, and each named frame is the first packet of a sample flow (tshark's addresses are the flow's two ends).
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class FindingFramesTsharkTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private int _carrierFrames;

    public void Dispose() => _temp.Dispose();

    [NeedsProgramFact("tshark", shared: "captures/sip.pcap")]
    public void TsharkShowsEachFindingsFramesThroughItsFilter()
    {
        var repositoryCatalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        int frames = 0;
        frames += Check(SharedData.InRepository("captures/lab.pcapng"), repositoryCatalog, SharedData.InRepository("captures/lab.yaml"));
        frames += Check(SharedData.Path("captures/sip.pcap")!, repositoryCatalog, SharedCaptureAuditTests.InventoryPath("sip"));
        frames += Check(ScanCapture(), AuditFixture.Catalog, null);
        Assert.True(frames >= 15, $"only {frames} frames compared");
    }

    // A tunnel's own flow (its carrier) is filtered on its IP protocol, and its frames show its ends as their outer addresses.
    [NeedsProgramFact("tshark", shared: "captures/6in4tunnel.pcap")]
    public void TsharkShowsTheFramesOfTunnelsAndOfTheFlowsTheyCarry()
    {
        int frames = 0;
        foreach (var capture in new[] { "captures/6in4tunnel.pcap", "captures/4in4tunnel.pcap", "captures/gre.pcapng", "flowdata/zeek/vxlan-tunnel/vxlan.pcap" })
            frames += Check(SharedData.Path(capture)!, AuditFixture.Catalog, null);
        frames += Check(TunnelBehindExtensionHeaders(), AuditFixture.Catalog, null);
        Assert.True(frames >= 8, $"only {frames} frames compared");
        // 4in4tunnel.pcap's, gre.pcapng's, vxlan.pcap's four, the 4in6 behind extension headers and 6in4tunnel.pcap's,
        // which shares the external zone pair's finding with the flows it carries: it began with the first of them, and a
        // finding quotes its earliest flows.
        Assert.Equal(8, _carrierFrames);
    }

    /// <summary>
    /// IPv4 in IPv6 whose outer header is followed by hop-by-hop and destination options before the tunnel: the carrier's
    /// finding is its own (the flow inside is a member's SSH to dc01), so only its filter can show the frame.
    /// </summary>
    private string TunnelBehindExtensionHeaders()
    {
        byte[] inner = Ip("10.64.0.9", Dc, 6, Tcp(40000, 22, Syn));
        byte[] options = [60, 0, 1, 4, 0, 0, 0, 0, 4, 0, 1, 4, 0, 0, 0, 0];   // hop-by-hop, then destination options naming IPv4
        var builder = new PcapBuilder();
        builder.Add(Ethernet(Ipv6("2001:db8:ff::1", "2001:db8:ff::2", 0, Concat(options, inner))), 1);
        string path = _temp.File("tunnel-behind-options.pcap");
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    /// <summary>SYNs from unnamed internal addresses to dc01:22 and across zones to a perimeter address on many ports, after a non-IP frame.</summary>
    private string ScanCapture()
    {
        var builder = new PcapBuilder();
        builder.Add(Concat(new byte[12], [0x08, 0x06], new byte[28]), 0.5);
        for (int i = 0; i < 30; i++)
        {
            builder.Add(Ethernet(Ip($"10.64.0.{i + 1}", Dc, 6, Tcp((ushort)(40000 + i), 22, Syn))), 1 + i * 0.01);
            builder.Add(Ethernet(Ip($"10.64.1.{i + 1}", "172.16.0.50", 6, Tcp((ushort)(41000 + i), (ushort)(8000 + i % 3), Syn))), 1.005 + i * 0.01);
        }
        string path = _temp.File("scan.pcap");
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    /// <summary>Audits <paramref name="capture"/> and checks every finding's frames with tshark; returns the frames checked.</summary>
    private int Check(string capture, RoleCatalog catalog, string? inventoryPath)
    {
        var inventory = inventoryPath is null ? LoadInventory() : InventoryLoader.Load(inventoryPath, catalog);
        string output = _temp.File(Path.GetFileNameWithoutExtension(capture));
        using (var run = new AuditRun(AuditContext.Create(catalog, inventory), new AuditSettings { OutputDirectory = output }, new FlowTableOptions()))
            run.Run(CaptureFileSource.Of([capture]));
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "report.json")));
        var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
        var withFrames = findings.Where(f => f.GetProperty("evidence").GetProperty("frames").GetArrayLength() > 0).ToList();
        Assert.NotEmpty(withFrames);
        // Every filter parses, those of missing findings (port lists and ranges, both transports) included: one run for all.
        var filters = findings.Select(f => f.GetProperty("tsharkFilter").GetString()).OfType<string>().Distinct().Select(f => $"({f})");
        External.Run("tshark", "-r", capture, "-c", "1", "-Y", string.Join(" || ", filters));
        // A tunnel's first packet opens its own flow and the first it carries: a frame may be both's.
        var ends = new HashSet<(long Frame, string Client, string Server, bool Carrier)>();
        foreach (var finding in withFrames)
        {
            string filter = finding.GetProperty("tsharkFilter").GetString()!;
            var shown = External.Run("tshark", "-r", capture, "-Y", filter, "-T", "fields", "-e", "frame.number")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToHashSet();
            foreach (var sample in finding.GetProperty("evidence").GetProperty("samples").EnumerateArray())
            {
                long frame = sample.GetProperty("frame").GetInt64();
                Assert.Equal(capture, sample.GetProperty("input").GetString());
                Assert.True(shown.Contains(frame), $"{Path.GetFileName(capture)}: '{filter}' does not show frame {frame}");
                bool carrier = sample.GetProperty("transport").GetString() is "ipip" or "ipv6" or "gre"
                    || sample.GetProperty("app").GetString() is "vxlan" or "geneve";
                ends.Add((frame, sample.GetProperty("client").GetString()!, sample.GetProperty("server").GetString()!, carrier));
            }
        }
        var frames = ends.Select(e => e.Frame).Distinct().ToList();
        var fields = External.Run("tshark", "-r", capture, "-Y", $"frame.number in {{{string.Join(", ", frames)}}}", "-T", "fields",
                "-e", "frame.number", "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r').Split('\t')).ToList();
        Assert.Equal(frames.Count, fields.Count);
        var byFrame = fields.ToDictionary(f => long.Parse(f[0]));
        foreach (var (frame, client, server, carrier) in ends)
        {
            // Tunnelled packets list outer and inner addresses: a flow's are the innermost, a tunnel's own the outermost.
            var f = byFrame[frame];
            var layers = TsharkIpLayers.Of(f[1], f[2], f[4]);
            var layer = carrier ? layers[0] : layers[^1];
            string source = layer.Of(f[layer.V6 ? 4 : 2]), destination = layer.Of(f[layer.V6 ? 5 : 3]);
            if (carrier) _carrierFrames++;
            Assert.True(new HashSet<string> { client, server }.SetEquals([source, destination]),
                $"{Path.GetFileName(capture)} frame {frame}: {source} → {destination}");
        }
        return ends.Count;
    }
}
