using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// iptables <c>-m iprange</c> (<c>--src-range</c>, <c>--dst-range</c>, <c>!</c> for the addresses outside) decided from the
/// addresses, as the kernel decides it: this ruleset, loaded by iptables-restore on a namespace router (client 10.99.1.2,
/// server 10.99.2.2), passed 80, 81, 82, 86 and 87 and dropped 83, 84 and 85.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class IprangeTests
{
    private const string Rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -p tcp -m iprange --src-range 10.99.1.2-10.99.1.3 -m multiport --dports 80:82,86 -j ACCEPT
        -A FORWARD -p tcp -m iprange ! --dst-range 10.99.2.1-10.99.2.9 -m tcp --dport 84 -j ACCEPT
        -A FORWARD -p tcp -m iprange --src-range 10.99.1.5-10.99.1.9 -m tcp --dport 85 -j ACCEPT
        -A FORWARD -p tcp -m iprange --dst-range 10.99.2.2-10.99.2.2 -m tcp --dport 87 -j ACCEPT
        COMMIT
        """;

    [Theory]
    [InlineData(80, PolicyDecision.Allowed, "FORWARD#2")]
    [InlineData(82, PolicyDecision.Allowed, "FORWARD#2")]
    [InlineData(86, PolicyDecision.Allowed, "FORWARD#2")]
    [InlineData(83, PolicyDecision.Blocked, "policy of FORWARD")]
    [InlineData(84, PolicyDecision.Blocked, "policy of FORWARD")]
    [InlineData(85, PolicyDecision.Blocked, "policy of FORWARD")]
    [InlineData(87, PolicyDecision.Allowed, "FORWARD#5")]
    public void An_address_range_is_decided_as_the_kernel_decides_it(int port, PolicyDecision decision, string decidedBy)
    {
        var policy = IptablesSaveParser.Parse(Rules, "iprange.rules");
        var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port),
            PolicyPoint.Network);

        Assert.Empty(policy.Issues);
        Assert.Equal((decision, decidedBy), (verdict.Decision, verdict.DecidedBy));
    }
}
