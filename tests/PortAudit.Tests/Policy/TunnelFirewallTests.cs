using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Policy;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A network firewall between a tunnel's ends sees the tunnel's own flow, not the flows inside it: an IP-in-IP tunnel its
/// rules pass carries RDP its rules would refuse, which is no bypass of them. A host's own firewall at the tunnel's end
/// sees what the tunnel brings it.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TunnelFirewallTests
{
    private const string Broker = "198.51.100.7", Ws = "10.0.8.9", Remote = "203.0.113.5";

    private const string Inventory = """
        segments:
          - name: lan
            cidrs: [10.0.0.0/16]
            zone: internal
          - name: internet
            cidrs: [0.0.0.0/0, "::/0"]
            zone: external
        hosts:
          - name: ws1
            addresses: [10.0.8.9]
            roles: [workstation]
        """;

    // Drops everything but IP in IP from the broker (iptables-save names protocol 4 "ipencap").
    private const string Rules = """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -s 198.51.100.7/32 -p ipencap -j ACCEPT
        -A FORWARD -s 198.51.100.7/32 -p ipencap -j ACCEPT
        COMMIT
        """;

    [Theory]
    [InlineData(null)]
    [InlineData("ws1")]
    public void A_network_firewall_judges_the_tunnel_and_a_hosts_own_the_flows_it_brings_the_host(string? host)
    {
        using var dir = new TempDirectory();
        var capture = new ScenarioCapture("tunnel.pcap", 1_700_000_000)
            .Tunnel(Broker, Ws, IpProtocol.IpInIp, inside => inside.Tcp(Remote, Ws, 3389, 1, [3, 0, 0, 19], [3, 0, 0, 19]));
        File.WriteAllBytes(dir.File("tunnel.pcap"), capture.Build());
        File.WriteAllText(dir.File("fw.rules"), Rules);
        var catalog = ScenarioAudit.RepositoryCatalog;
        var context = AuditContext.Create(catalog, Audit.AuditFixture.LoadInventory(Inventory, catalog));
        var policy = PolicyLoader.Load(dir.File("fw.rules"), PolicyFormat.Iptables, name: host);
        AuditOutcome outcome;
        using (var run = new AuditRun(context, new AuditSettings { OutputDirectory = dir.File("out"), Firewalls = [policy] }, new FlowTableOptions()))
            outcome = run.Run(CaptureFileSource.Of([dir.File("tunnel.pcap")]));

        var used = outcome.Report.Firewalls.Single().Rules.Where(r => r.Flows > 0).ToList();
        var bypass = outcome.Report.Findings.Where(f => f.Kind == FindingKind.PolicyBypass).ToList();
        if (host is null)
        {
            // The tunnel passed the FORWARD rule on protocol 4; the RDP inside it was never the firewall's to refuse.
            var rule = Assert.Single(used);
            Assert.Equal(((byte?)IpProtocol.IpInIp, 1L), (rule.Rule.Protocols?.Single(), rule.Flows));
            Assert.Empty(bypass);
            // flows.jsonl says why the firewall gave the RDP no verdict of its own.
            var rdp = File.ReadLines(Path.Combine(outcome.OutputDirectory, "flows.jsonl")).Single(l => l.Contains("\"serverPort\":3389", StringComparison.Ordinal));
            Assert.Contains("\"policy\":[\"fw.rules: inside a tunnel, the firewall judged the tunnel itself\"]", rdp, StringComparison.Ordinal);
        }
        else
        {
            // ws1's own firewall ends the tunnel: it passes the tunnel, and the RDP the tunnel brings meets its policy.
            var rule = Assert.Single(used);
            Assert.Equal(((byte?)IpProtocol.IpInIp, 1L), (rule.Rule.Protocols?.Single(), rule.Flows));
            Assert.Equal("3389", Assert.Single(bypass).Ports);
        }
    }
}
