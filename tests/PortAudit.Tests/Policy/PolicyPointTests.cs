using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Policy;

/// <summary>
/// The hook that judges a connection: a host's own firewall its input path, a network firewall its forward path, as the
/// kernel routes the packet to one or the other; a path that filters nothing still accepts (the rulesets of the
/// differential test against the kernel, in network namespaces with the real nft and iptables: what it asserts is what the kernel did).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class PolicyPointTests
{
    // Input admits ssh to the router itself; forward admits web through it.
    private const string RouterNft = """
        table inet f {
          chain input {
            type filter hook input priority 0; policy drop;
            tcp dport 22 accept
          }
          chain forward {
            type filter hook forward priority 0; policy drop;
            ct state established,related accept
            tcp dport 80 accept
          }
        }
        """;

    // A typical router: INPUT refuses all but ssh, FORWARD filters nothing.
    private const string RouterIptables = """
        *filter
        :INPUT DROP [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
        COMMIT
        """;

    // A host that does not route (Docker's and ufw's default): INPUT filters nothing, FORWARD drops.
    private const string HostIptables = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        COMMIT
        """;

    private static PolicyQuery Tcp(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    [Fact]
    public void A_network_firewall_judges_a_flow_through_it_by_its_forward_path_alone()
    {
        var policy = NftTextParser.Parse(RouterNft, "b1.nft");

        var ssh = PolicyEvaluator.Evaluate(policy, Tcp(22), PolicyPoint.Network);
        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward", "forward"), (ssh.Decision, ssh.DecidedBy, ssh.Path));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), (web.Decision, web.DecidedBy));
    }

    [Fact]
    public void A_forward_path_that_filters_nothing_accepts_what_the_input_path_refuses()
    {
        var policy = IptablesSaveParser.Parse(RouterIptables, "r1.rules");

        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Allowed, "policy of FORWARD", "forward"), (web.Decision, web.DecidedBy, web.Path));
    }

    [Fact]
    public void A_hosts_firewall_judges_a_connection_to_it_by_its_input_path_alone()
    {
        var host = IptablesSaveParser.Parse(HostIptables, "a1.rules");
        var router = NftTextParser.Parse(RouterNft, "b1.nft");

        var web = PolicyEvaluator.Evaluate(host, Tcp(80), PolicyPoint.Host);
        var routedWeb = PolicyEvaluator.Evaluate(router, Tcp(80), PolicyPoint.Host);

        Assert.Equal((PolicyDecision.Allowed, "policy of INPUT", "input"), (web.Decision, web.DecidedBy, web.Path));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f input"), (routedWeb.Decision, routedWeb.DecidedBy));
    }

    [Fact]
    public void A_hook_without_chains_accepts()
    {
        var inputOnly = NftTextParser.Parse("""
            table inet f {
              chain input {
                type filter hook input priority 0; policy drop;
              }
            }
            """, "i.nft");

        var verdict = PolicyEvaluator.Evaluate(inputOnly, Tcp(80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Allowed, "forward"), (verdict.Decision, verdict.Path));
    }

    [Theory]
    [InlineData(null, "fw: allowed by policy of FORWARD")]
    [InlineData("server", "server: allowed by policy of INPUT")]
    public void The_audit_judges_a_network_firewall_by_forward_and_a_hosts_by_input(string? host, string expected)
    {
        var capture = new ScenarioCapture("web.pcap", 1_700_000_000).Tcp("10.99.1.2", "10.99.2.2", 80, 1, "GET / HTTP/1.0\r\n\r\n"u8.ToArray(), "HTTP/1.0 200 OK\r\n\r\n"u8.ToArray());
        // Each ruleset refuses the flow on the hook that does not apply.
        var (outcome, flows) = FirewallRun.Of(capture, FirewallRun.LanServer, host is null ? RouterIptables : HostIptables, PolicyFormat.Iptables, host ?? "fw");

        var web = flows.Single(l => l.Contains("\"serverPort\":80", StringComparison.Ordinal));
        Assert.Contains($"\"policy\":[\"{expected}\"]", web, StringComparison.Ordinal);
        Assert.DoesNotContain(outcome.Report.Findings, f => f.Kind is FindingKind.PolicyBypass or FindingKind.PolicyBlocksRequired);
    }
}
