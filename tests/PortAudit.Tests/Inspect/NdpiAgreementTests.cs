using PortAudit.Common;
using PortAudit.Flows;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class NdpiAgreementTests(ITestOutputHelper output)
{
    // Protocols with exact signatures whose every flow in the corpus must agree.
    private static readonly string[] MustAgree =
        { "DCERPC", "SMBv23", "SMBv1", "LDAP", "SNMP", "IPSec", "SMTPS", "POPS", "Usenet", "RDP", "NTP", "MsSQL-TDS", "RTCP", "DNS", "QUIC" };

    /// <summary>Each known disagreement: capture, one port of the flow, and why our answer stands.</summary>
    private static readonly (string Capture, ushort Port, string Reason)[] Expected = Build(
        Many("kerberos.pcap", "midstream: the capture holds only the tail of a Kerberos message each way (no length prefix, no ASN.1 start); nDPI's label follows port 88",
            49190, 49192, 49195, 49162, 49168, 49159, 49175, 49186, 49170, 49183, 49189, 49196),
        Many("jabber.pcap", "port 5223: the bytes are neither TLS nor XMPP (a proprietary binary framing); nDPI guesses Jabber from the port",
            58388, 34070, 41420, 34218, 37614),
        Many("6in4tunnel.pcap", "TLS on 993: we report what is on the wire (tls); that TLS on 993 means IMAPS is the catalog's call", 35610, 56381),
        One("KakaoTalk_chat.pcap", 51021, "port 8080 carries a proprietary binary protocol, no HTTP request line; nDPI's HTTP_Proxy comes from the port"),
        Many("KakaoTalk_chat.pcap", "the flow carries no payload at all (only ACK/FIN); nDPI's label is a port guess", 35922, 34503),
        Many("KakaoTalk_chat.pcap", "midstream: the first bytes are inside an encrypted record, no TLS record header to read", 46947, 42332),
        One("443-chrome.pcap", 53059, "midstream: the only bytes start inside a TLS record"),
        One("netbios.pcap", 1398, "the server sent a single zero byte: no NetBIOS session header"),
        Many("stun.pcap", "the flow opens with STUN binding requests and turns to DTLS later (WebRTC); we label the first protocol, nDPI the later one", 49153, 48854));

    [SharedDataFact]
    public void AppLabelsAgreeWithNdpiOnItsOwnCaptures()
    {
        string results = Path.Combine(SharedData.Path("captures")!, "ndpi-results");
        var perFamily = new SortedDictionary<string, (int Agree, int Total)>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var seen = new HashSet<(string, ushort)>();
        foreach (var file in Directory.GetFiles(results, "*.out").Order(StringComparer.Ordinal))
        {
            string capture = Path.Combine(SharedData.Path("captures")!, Path.GetFileName(file)[..^4]);
            if (!File.Exists(capture)) continue;
            var flows = InspectTestData.Inspect(capture).Flows;
            foreach (var ndpi in NdpiResults(file))
            {
                var agreeing = ndpi.Agreeing();
                if (agreeing.Count == 0) continue;
                var ours = Find(flows, ndpi);
                if (ours is null)
                {
                    // Flows our decoder keeps at an outer layer (a GRE encapsulation it does not open) have no twin here.
                    output.WriteLine($"unpaired  {ndpi.Capture} {ndpi.Transport} {ndpi.A}:{ndpi.PortA} <-> {ndpi.B}:{ndpi.PortB}: nDPI {ndpi.Protocol}");
                    continue;
                }
                bool agree = ours.App is not null && agreeing.Contains(ours.App.Name);
                var (a, t) = perFamily.GetValueOrDefault(ndpi.Family);
                perFamily[ndpi.Family] = (a + (agree ? 1 : 0), t + 1);
                if (agree) continue;
                var known = Expected.FirstOrDefault(e => e.Capture == ndpi.Capture && (e.Port == ndpi.PortA || e.Port == ndpi.PortB));
                string line = $"{ndpi.Capture} {ndpi.Transport} {ndpi.A}:{ndpi.PortA} <-> {ndpi.B}:{ndpi.PortB}: nDPI {ndpi.Protocol}, ours {ours.App?.Name ?? "null"}";
                if (known.Reason is null) unexpected.Add(line);
                else
                {
                    seen.Add((known.Capture, known.Port));
                    output.WriteLine($"disagree  {line}\n          because {known.Reason}");
                }
            }
        }
        int agreed = perFamily.Values.Sum(v => v.Agree), total = perFamily.Values.Sum(v => v.Total);
        output.WriteLine($"{"nDPI protocol",-14} {"agree",5} {"flows",5}  rate");
        foreach (var (family, (a, t)) in perFamily) output.WriteLine($"{family,-14} {a,5} {t,5}  {100.0 * a / t,5:0.0}%");
        output.WriteLine($"{"all",-14} {agreed,5} {total,5}  {100.0 * agreed / total,5:0.0}%");

        Assert.Empty(unexpected);
        Assert.Empty(Expected.Where(e => !seen.Contains((e.Capture, e.Port))).Select(e => $"{e.Capture}:{e.Port} now agrees: drop it from the table"));
        Assert.Equal(274, total);
        // Every flow agrees but the known disagreements, each met once.
        Assert.Equal(total - Expected.Length, agreed);
        foreach (var family in MustAgree.Where(perFamily.ContainsKey))
            Assert.True(perFamily[family].Agree == perFamily[family].Total, $"{family}: {perFamily[family].Agree}/{perFamily[family].Total}");
    }

    private static IEnumerable<NdpiFlow> NdpiResults(string file) => NdpiFlow.Read(file);

    internal static Flow? Find(List<Flow> flows, NdpiFlow ndpi) => flows.FirstOrDefault(f =>
        f.Transport == ndpi.Transport
        && ((f.Client == ndpi.A && f.ClientPort == ndpi.PortA && f.Server == ndpi.B && f.ServerPort == ndpi.PortB)
            || (f.Client == ndpi.B && f.ClientPort == ndpi.PortB && f.Server == ndpi.A && f.ServerPort == ndpi.PortA)));

    private static (string, ushort, string)[] Many(string capture, string reason, params ushort[] ports) =>
        ports.Select(p => (capture, p, reason)).ToArray();

    private static (string, ushort, string)[] One(string capture, ushort port, string reason) => new[] { (capture, port, reason) };

    private static (string, ushort, string)[] Build(params (string, ushort, string)[][] groups) => groups.SelectMany(g => g).ToArray();
}
