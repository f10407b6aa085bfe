using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PortAudit.Tests.Flows;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// The same traffic through two sources: a capture read directly, and the IPFIX that softflowd exports from it,
/// received by <c>portaudit collect</c> and separately by nfcapd, then read back with nfdump. All three must give the
/// same flows: endpoints, and packets and bytes each endpoint sent (softflowd cannot tell the client of a flow whose
/// two directions start in the same millisecond on two high ports, so sides are compared, not roles).
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public class TwoSourcesTests(ITestOutputHelper output)
{
    [NeedsProgramFact("softflowd", shared: "flowdata", package: "softflowd nfdump", also: "nfcapd")]
    public void A_capture_and_its_softflowd_export_give_the_same_flows_to_us_and_to_nfdump()
    {
        string capture = SharedData.Path("flowdata/zeek/ftp-ipv4/ipv4.pcap")!;
        var direct = FlowRunner.Run(capture).Flows.Select(RecordRun.Canonical).Order().ToList();

        int ours = SoftflowdExport.FreeUdpPort();
        string dir = Directory.CreateTempSubdirectory("portaudit-two-sources").FullName;
        try
        {
            string collected = Path.Combine(dir, "collected.jsonl");
            string nfcapdDir = Directory.CreateDirectory(Path.Combine(dir, "nfcapd")).FullName;
            var dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
            using var collector = Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" collect --listen 127.0.0.1:{ours} --duration 8 --output \"{collected}\"")
                { RedirectStandardError = true, RedirectStandardOutput = true })!;
            // The collector says where it listens once bound: export only then, or the datagrams are lost.
            var ready = collector.StandardError.ReadLineAsync();
            Assert.True(ready.Wait(TimeSpan.FromSeconds(60)) && ready.Result?.Contains("collecting on", StringComparison.Ordinal) == true, ready.Result);
            _ = collector.StandardError.ReadToEndAsync();
            SoftflowdExport.To(capture, ours);
            output.WriteLine(SoftflowdExport.ThroughNfcapd(nfcapdDir, port => SoftflowdExport.To(capture, port)) + string.Join(' ', Directory.GetFiles(nfcapdDir)));
            Assert.True(collector.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, collector.ExitCode);

            var received = File.ReadAllLines(collected).Select(l => JsonDocument.Parse(l).RootElement).Select(Canonical).Order().ToList();
            output.WriteLine(string.Join('\n', received));
            Assert.Equal(direct, received);

            var nfdump = External.Run("nfdump", "-R", nfcapdDir, "-q", "-N", "-o", "fmt:%pr %sa %sp %da %dp %ipkt %ibyt");
            output.WriteLine(nfdump);
            var oneWay = nfdump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length == 7).ToList();
            // nfdump lists each direction apart: fold them by endpoints as ours are.
            var folded = oneWay.GroupBy(f => string.Join(' ', new[] { $"{f[1]}:{f[2]}", $"{f[3]}:{f[4]}" }.Order()))
                .Select(g => g.Key + " " + string.Join(' ', g.OrderBy(f => $"{f[1]}:{f[2]}").Select(f => $"{f[1]}:{f[2]}={f[5]}/{f[6]}")))
                .Order().ToList();
            var ourFolded = direct.Select(ToNfdumpShape).Order().ToList();
            output.WriteLine(string.Join('\n', folded));
            Assert.Equal(ourFolded, folded);

            // nfcapd's files read back through nfdump's csv (how nfcapd files reach us) and paired by us: the same flows again.
            var csv = RecordRun.Text(SoftflowdExport.NfdumpCsv(nfcapdDir));
            Assert.Equal((0L, 0), (csv.Records.Rejected, csv.Summary.Errors.Count));
            Assert.Equal(direct, csv.Flows.Select(RecordRun.Canonical).Order().ToList());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Canonical(JsonElement flow)
    {
        // The same shape as RecordRun.Canonical, from a flows.jsonl record.
        string client = $"{flow.GetProperty("client").GetString()}:{flow.GetProperty("clientPort").GetInt32()}";
        string server = $"{flow.GetProperty("server").GetString()}:{flow.GetProperty("serverPort").GetInt32()}";
        string toServer = $"{flow.GetProperty("packetsToServer").GetInt64()}/{flow.GetProperty("bytesToServer").GetInt64()}";
        string toClient = $"{flow.GetProperty("packetsToClient").GetInt64()}/{flow.GetProperty("bytesToClient").GetInt64()}";
        bool clientLow = string.CompareOrdinal(Low(client), Low(server)) <= 0;
        return clientLow
            ? $"{flow.GetProperty("transport").GetString()} {client} sent {toServer}, {server} sent {toClient}"
            : $"{flow.GetProperty("transport").GetString()} {server} sent {toClient}, {client} sent {toServer}";
    }

    // Sorts as IpAddr orders IPv4 endpoints: by address value, then port.
    private static string Low(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        var address = IPAddress.Parse(endpoint[..colon]).GetAddressBytes();
        return Convert.ToHexString(address) + int.Parse(endpoint[(colon + 1)..]).ToString("D5");
    }

    private static string ToNfdumpShape(string canonical)
    {
        // "tcp A:p sent n/b, B:q sent m/c" → "A:p B:q A:p=n/b B:q=m/c", endpoints in text order as the fold above.
        var parts = canonical.Split(' ');
        string a = parts[1], b = parts[4];
        string sa = parts[3].TrimEnd(','), sb = parts[6];
        var ends = new[] { (a, sa), (b, sb) }.OrderBy(e => e.Item1, StringComparer.Ordinal).ToArray();
        return $"{string.Join(' ', new[] { a, b }.Order())} {ends[0].Item1}={ends[0].Item2} {ends[1].Item1}={ends[1].Item2}";
    }
}
