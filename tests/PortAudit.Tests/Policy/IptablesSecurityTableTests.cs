using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// The iptables security table runs after filter on INPUT and FORWARD: its drop refuses what filter accepts (the kernel
/// differential test's g1).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class IptablesSecurityTableTests
{
    [Fact]
    public void A_drop_in_the_security_table_refuses_what_filter_accepts()
    {
        var policy = IptablesSaveParser.Parse("""
            *security
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -p tcp --dport 81 -j DROP
            -A INPUT -j SECMARK --selctx system_u:object_r:http_packet_t:s0
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -p tcp -m multiport --dports 80,81 -j ACCEPT
            COMMIT
            """, "g1.rules");
        PolicyQuery Tcp(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

        var refused = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);
        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "security FORWARD#1"), (refused.Decision, refused.DecidedBy));
        // The rule that accepted it is named, not the policy of the security chain it then fell through.
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#2"), (web.Decision, web.DecidedBy));
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Host).Decision);
        Assert.Empty(policy.Issues);
    }
}
