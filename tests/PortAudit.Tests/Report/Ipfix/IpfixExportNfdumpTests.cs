using System.Globalization;
using PortAudit.Sources.Records;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Cli;
using PortAudit.Tests.Sources.Live;
using PortAudit.Tests.Sources.Records;
using Xunit.Abstractions;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Report.Ipfix;

/// <summary>
/// <c>portaudit flows --export-ipfix</c> to the real nfcapd, read back with nfdump: the same flows, each with the packets
/// and bytes of both directions (nfdump shows a biflow's reverse counters as out packets and bytes), as the flow
/// records the same run wrote.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class IpfixExportNfdumpTests(ITestOutputHelper output) : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-ipfix-export");

    /// <summary>
    /// IPv4 and IPv6 flows of TCP and UDP, answered, refused and one-way: 150 UDP exchanges of each family make several
    /// messages, in which the template changes from set to set.
    /// </summary>
    private static byte[] Capture()
    {
        var capture = new PcapBuilder();
        double t = 0;
        capture.Add(Ethernet(Ipv4("10.1.0.1", "10.1.0.2", 6, Tcp(50000, 5061, Syn))), t += 0.01)
            .Add(Ethernet(Ipv4("10.1.0.2", "10.1.0.1", 6, Tcp(5061, 50000, Syn | Ack))), t += 0.01)
            .Add(Ethernet(Ipv4("10.1.0.1", "10.1.0.2", 6, Tcp(50000, 5061, Ack | Psh, data: new byte[200]))), t += 0.01)
            .Add(Ethernet(Ipv4("10.1.0.2", "10.1.0.1", 6, Tcp(5061, 50000, Ack | Psh, data: new byte[333]))), t += 0.01)
            .Add(Ethernet(Ipv6("2001:db8::1", "2001:db8::2", 6, Tcp(50001, 443, Syn))), t += 0.01)
            .Add(Ethernet(Ipv6("2001:db8::2", "2001:db8::1", 6, Tcp(443, 50001, Rst | Ack))), t += 0.01)
            .Add(Ethernet(Ipv4("10.1.0.3", "10.1.0.4", 17, Udp(40000, 3478, new byte[20]))), t += 0.01);
        for (int i = 0; i < 150; i++)
        {
            string v4 = $"10.2.{i / 100}.{i % 100 + 1}", v6 = $"2001:db8:1::{i + 1:x}";
            capture.Add(Ethernet(Ipv4(v4, "10.9.9.9", 17, Udp((ushort)(30000 + i), 53, new byte[30 + i]))), t += 0.001)
                .Add(Ethernet(Ipv6(v6, "2001:db8:9::53", 17, Udp((ushort)(30000 + i), 53, new byte[40 + i]))), t += 0.001)
                .Add(Ethernet(Ipv4("10.9.9.9", v4, 17, Udp(53, (ushort)(30000 + i), new byte[90 + i]))), t += 0.001)
                .Add(Ethernet(Ipv6("2001:db8:9::53", v6, 17, Udp(53, (ushort)(30000 + i), new byte[100 + i]))), t += 0.001);
        }
        return capture.Build();
    }

    [NeedsProgramFact("nfcapd", package: "nfdump", also: "nfdump")]
    public void Nfdump_reads_back_the_flows_with_the_packets_and_bytes_of_both_directions()
    {
        string capture = _dir.Write("mixed.pcap", Capture());
        string records = Path.Combine(_dir.FullName, "flows.csv");
        using var nfcapd = NfcapdCollector.Start(Path.Combine(_dir.FullName, "nfcapd"));

        var run = CliProcess.Run($"flows \"{capture}\" --export-ipfix 127.0.0.1:{nfcapd.Port} --format csv --output \"{records}\"");
        Assert.True(run.ExitCode == 0, run.StandardError);
        Thread.Sleep(300);
        string log = nfcapd.Stop();
        output.WriteLine(run.StandardError + log);
        // nfcapd checks the sequence numbers of each observation domain.
        Assert.Contains("Sequence Errors: 0,", log, StringComparison.Ordinal);

        var ours = File.ReadAllLines(records).Skip(1).Select(line => line.Split(','))
            // transport, client, clientPort, server, serverPort, packetsToServer, bytesToServer, packetsToClient, bytesToClient
            .Select(f => string.Join(' ', f[4], f[5], f[6], f[7], f[8], f[10], f[11], f[12], f[13])).Order().ToList();
        var lines = nfcapd.Read("-N", "-o", "csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var theirs = lines.Skip(1).TakeWhile(l => l != "Summary").Select(l => l.Split(','))
            .Select(f => string.Join(' ', f[Column("pr")].ToLowerInvariant(), f[Column("sa")], f[Column("sp")], f[Column("da")], f[Column("dp")],
                f[Column("ipkt")], f[Column("ibyt")], f[Column("opkt")], f[Column("obyt")]))
            .Order().ToList();
        output.WriteLine(string.Join('\n', theirs.Take(10)));

        Assert.Equal(303, ours.Count);
        Assert.Contains("tcp 10.1.0.1 50000 10.1.0.2 5061 2 280 2 413", ours);
        Assert.Contains("tcp 2001:db8::1 50001 2001:db8::2 443 1 60 1 60", ours);
        Assert.Equal(ours, theirs);
        // nfdump's own totals: flows, and packets and bytes of both directions together.
        var summary = lines[^1].Split(',');
        Assert.Equal(ours.Count.ToString(CultureInfo.InvariantCulture), summary[0]);
        Assert.Equal(ours.Sum(f => long.Parse(f.Split(' ')[6]) + long.Parse(f.Split(' ')[8])).ToString(CultureInfo.InvariantCulture), summary[1]);
        Assert.Equal(ours.Sum(f => long.Parse(f.Split(' ')[5]) + long.Parse(f.Split(' ')[7])).ToString(CultureInfo.InvariantCulture), summary[2]);
        Assert.Contains($"ipfix: 303 flows in ", run.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
