using System.Text.Json;
using PortAudit.Sources.Files;

namespace PortAudit.Tests.Lab;

/// <summary>
/// The lab end to end: tools/lab/lab.sh builds the namespaces, runs the real peers and audits them live with
/// this build of portaudit; the test reads what the audit wrote.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
// The lab itself takes about 12 s; the bound leaves room for a loaded CI machine and stays under 90 s. The firewall
// table the lab makes is PREFIX_fw.
public sealed class LabTests() : LabScriptTest("lab.sh", "palt", TimeSpan.FromSeconds(80))
{
    [LabFact]
    public void LiveAuditOfTheLabFindsEachPeerTheBlockedAndTheUnexpectedFlowWithoutDrops()
    {
        Check(() =>
        {
            var (exit, stderr) = RunScript();
            Assert.True(exit == 0, $"lab.sh exited {exit}:\n{stderr}");
            Assert.Contains("capture stopped (signal)", stderr);
            Assert.Matches(@"libpcap received [1-9]\d*, dropped 0, interface dropped 0", stderr);

            var flows = Flows();
            // Clear-text SIP from a client: 5060 is the Front End's listener for trusted services, not clients.
            AssertFlow(flows, "tcp", "client01", "fe01", 5060, "sip", "unexpected");
            AssertFlow(flows, "tcp", "edge01", "fe01", 5061, "tls", "expected");
            AssertFlow(flows, "udp", "client01", "edge01", 3478, "stun", "expected");
            AssertFlow(flows, "tcp", "client01", "dc01", 135, "dcerpc", "expected");
            Assert.Contains(flows, f => Text(f, "serverHost") == "dc01" && f.GetProperty("serverPort").GetInt32() >= 49152
                && Text(f, "app") == "dcerpc" && Text(f, "verdict") == "expected-dynamic-rpc");
            AssertFlow(flows, "udp", "client01", "dc01", 53, "dns", "expected");
            // dnsmasq's TFTP: the request on 69, and the transfer the request announced, from the server's new port.
            AssertFlow(flows, "udp", "client01", "dc01", 69, "tftp", "expected");
            Assert.Contains(flows, f => Text(f, "app") == "tftp" && f.GetProperty("serverPort").GetInt32() != 69
                && f.GetProperty("clientPort").GetInt32() != 69 && Text(f, "appDetail") == "rrq; request=10.77.0.30:69");
            Assert.Contains(flows, f => Text(f, "app") == "dhcp" && Text(f, "appDetail") == "discover");
            Assert.Contains(flows, f => Text(f, "app") == "dhcp" && Text(f, "appDetail") == "offer");

            using var report = Report();
            var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
            AssertFinding(findings, "required-blocked", "client01", "fe01", "5061");
            AssertFinding(findings, "unexpected", "client01", "fe01", "8000");
            AssertFinding(findings, "unexpected", "client01", "fe01", "5060");
            // The Front End's own ruleset, as the lab listed it with nft -j (lab-fe01.json): exactly its three mistakes (SIP
            // over TCP from anyone on 5060 among them), and the SQL Browser it refuses the Edge, which the catalog requires of
            // every Lync server (a Front End implies lync-server).
            var policy = findings.Where(f => Text(f, "kind")!.StartsWith("policy-", StringComparison.Ordinal))
                .Select(f => $"{Text(f, "kind")} {Text(f, "rule")} {Text(f, "ports")}").Order(StringComparer.Ordinal).ToList();
            string table = Prefix + "_fw";
            Assert.Equal(["policy-blocks-required lync-fe-sip-tls 5061", "policy-blocks-required lync-sql-browser 1434",
                $"policy-unjustified fe01:inet {table} input#3 5060", $"policy-unjustified fe01:inet {table} input#6 8000"], policy);
            // The unnamed outside host is its segment in the finding, its address counted inside.
            Assert.Contains(findings, f => Text(f, "kind") == "unmapped" && Text(f, "serverHost") == "(unmapped:lab-outside)"
                && f.GetProperty("evidence").GetProperty("serverAddresses").GetProperty("top")[0].GetProperty("address").GetString() == "10.77.0.200");

            // The saved capture holds every packet the live audit counted, and reads back as pcapng.
            var saved = System.Text.RegularExpressions.Regex.Match(stderr, @"saved (\d+) packets");
            Assert.True(saved.Success, stderr);
            using var capture = CaptureFile.Open(Path.Combine(Dir, "out", "lab.pcapng"));
            long packets = 0;
            while (capture.TryRead(out _)) packets++;
            Assert.Equal(long.Parse(saved.Groups[1].Value), packets);
        });
    }

    private static void AssertFinding(List<JsonElement> findings, string kind, string client, string server, string ports) =>
        Assert.True(findings.Any(f => Text(f, "kind") == kind && Text(f, "clientHost") == client
                && Text(f, "serverHost") == server && Text(f, "ports") == ports),
            $"no {kind} finding {client} -> {server} {ports}");
}
