using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A host's connection to an address of its own arrives on lo, whichever of its addresses it is (the kernel differential
/// test's lo1: <c>iif "lo" accept</c> passed 10.99.2.2 to itself on port 80, which the evaluator had refused).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class LoopbackInterfaceTests
{
    private const string Rules = """
        table inet f {
          chain input {
            type filter hook input priority 0; policy drop;
            ct state established,related accept
            iif "lo" accept
          }
        }
        """;

    [Fact]
    public void A_connection_from_an_address_to_itself_arrives_on_lo()
    {
        var policy = NftTextParser.Parse(Rules, "lo1.nft");

        var self = PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.2.2"), 50000, IpAddr.Parse("10.99.2.2"), 80), PolicyPoint.Host);
        var other = PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), 80), PolicyPoint.Host);

        Assert.Equal((PolicyDecision.Allowed, "inet f input#2"), (self.Decision, self.DecidedBy));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f input"), (other.Decision, other.DecidedBy));
    }

    [Fact]
    public void A_hosts_connection_from_another_of_its_addresses_arrives_on_lo()
    {
        var capture = new ScenarioCapture("lo.pcap", 1_700_000_000).Tcp("10.99.2.3", "10.99.2.2", 80, 1, "GET / HTTP/1.0\r\n\r\n"u8.ToArray(), "HTTP/1.0 200 OK\r\n\r\n"u8.ToArray());
        var (outcome, flows) = FirewallRun.Of(capture, """
            hosts:
              - name: server
                addresses: [10.99.2.2, 10.99.2.3]
                roles: [workstation]
            """, Rules, PolicyFormat.NftText, "server");

        var web = flows.Single(l => l.Contains("\"serverPort\":80", StringComparison.Ordinal));
        Assert.Contains("\"policy\":[\"server: allowed by inet f input#2\"]", web, StringComparison.Ordinal);
        Assert.DoesNotContain(outcome.Report.Findings, f => f.Kind == FindingKind.PolicyBypass);
    }
}
