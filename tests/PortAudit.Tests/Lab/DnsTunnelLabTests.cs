using PortAudit.Audit.Anomaly;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;

namespace PortAudit.Tests.Lab;

/// <summary>
/// A DNS tunnel's queries over TCP with real peers: dnsmasq answering on fe01, and dig on client01 sending TXT queries
/// for random labels, one connection holding them all (<c>+keepopen</c>) and one a query alone. tcpdump captures it;
/// the anomaly models' rhythm counts and measures in each TCP flow the queries tshark decodes there.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class DnsTunnelLabTests : IDisposable
{
    private const int Queries = 40;

    private readonly TwoHostLab _lab = new("padnst");

    public void Dispose() => _lab.Dispose();

    [LabPeersFact("dnsmasq:dnsmasq-base", "dig:bind9-dnsutils", "tcpdump:tcpdump", "tshark:tshark")]
    public void Dig_over_tcp_is_measured_query_by_query_as_tshark_decodes_it()
    {
        _lab.Connect();
        _lab.Start(_lab.ServerNs, "dnsmasq", ["--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
            $"--listen-address={TwoHostLab.ServerAddress}", "--local=/corp.example/", "--address=/t.corp.example/10.77.0.99",
            "--txt-record=corp.example,v=spf1 mx -all", $"--pid-file={Path.Combine(_lab.Dir, "dnsmasq.pid")}"]);
        _lab.WaitListening(_lab.ServerNs, "tcp", 53, "dnsmasq");
        var random = new Random(7);
        string Label(int length) => new([.. Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)])]);
        var names = Enumerable.Range(0, Queries).Select(_ => $"{Label(random.Next(50, 61))}.t.corp.example").ToList();
        // Under the whole suite on two cores the capture has twice held fewer queries than dig was answered (20 and 26 of
        // 41, the test passing alone each time): the exchange is made again, up to three times, so the comparison below
        // is made on a capture that holds it whole; each short attempt is named if none does.
        var attempts = new List<string>();
        string capture = "";
        var byPort = new Dictionary<int, List<string>>();
        for (int attempt = 1; attempt <= 3 && byPort.Values.Sum(q => q.Count) != Queries + 1; attempt++)
        {
            capture = Path.Combine(_lab.Dir, $"dns-{attempt}.pcap");
            var tcpdump = _lab.CaptureOnClient(capture);
            string answers = _lab.In(_lab.ClientNs, "dig", [$"@{TwoHostLab.ServerAddress}", "+tcp", "+keepopen", "+tries=1", "+time=3", .. names.SelectMany(n => new[] { n, "TXT" })]);
            _lab.In(_lab.ClientNs, "dig", [$"@{TwoHostLab.ServerAddress}", "+tcp", "+tries=1", "+time=3", "corp.example", "TXT"]);
            TwoHostLab.StopCapture(tcpdump, capture);
            byPort = DecodedQueries(capture);
            attempts.Add($"attempt {attempt}: tshark decoded {byPort.Values.Sum(q => q.Count)} queries of {Queries + 1}, dig printed {answers.Split(";; Got answer:").Length - 1} answers of {Queries}");
        }

        var measured = new Dictionary<int, Rhythm>();
        var rhythms = new FlowRhythm();
        new TrafficRun(new FlowTableOptions(), rhythms, new RhythmByClientPort(rhythms, measured)).Read([new CaptureFileSource(capture)]);
        int sent = byPort.Values.Sum(q => q.Count);
        Assert.True(sent == Queries + 1, string.Join("; ", attempts));
        Assert.Contains(byPort, p => p.Value.SequenceEqual(["corp.example"]));
        foreach (var (port, queries) in byPort)
        {
            var rhythm = measured[port];
            Assert.Equal(queries.Count, rhythm.DnsQueries);
            Assert.Equal(queries.Average(n => n.Length), rhythm.DnsNameLength, 9);
        }
        // The tunnel's names are random: 4.5 bits a character and more, where the site's own has about 3.
        Assert.All(byPort.Where(p => p.Value.Count > 1), p => Assert.InRange(measured[p.Key].DnsNameEntropy, 4.5, 6));
    }

    // tshark's queries per TCP connection to 53, by the client's port.
    private static Dictionary<int, List<string>> DecodedQueries(string capture)
    {
        var decoded = ExternalProgram.Run(ExternalProgram.Start("tshark", ["-r", capture, "-Y", "tcp.dstport == 53 && dns.flags.response == 0",
            "-T", "fields", "-e", "tcp.srcport", "-e", "dns.qry.name"]), TimeSpan.FromSeconds(60));
        Assert.True(decoded.ExitCode == 0, decoded.StandardError);
        return decoded.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .SelectMany(f => f[1].Split(',').Select(name => (Port: int.Parse(f[0]), Name: name)))
            .GroupBy(q => q.Port).ToDictionary(g => g.Key, g => g.Select(q => q.Name).ToList());
    }

    // Takes each flow's rhythm as it ends, by its client's port.
    private sealed class RhythmByClientPort(FlowRhythm rhythms, Dictionary<int, Rhythm> measured) : IFlowObserver
    {
        public bool ReadsPackets => false;

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow)
        {
            if (flow.ServerPort == 53 && flow.Protocol == PortAudit.Common.IpProtocol.Tcp && rhythms.Take(flow) is { } rhythm) measured[flow.ClientPort] = rhythm;
        }
    }
}
