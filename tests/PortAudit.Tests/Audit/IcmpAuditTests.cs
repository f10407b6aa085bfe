using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// An ICMP rule with an <c>icmp</c> list allows its messages only: the verdict, the finding (named by its message where a
/// port would be) and the explanation of an unexpected flow all look at the flow's type and code.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class IcmpAuditTests
{
    private static readonly RoleCatalog PingCatalog = new(AuditFixture.Catalog.Roles, AuditFixture.Catalog.Features,
    [
        MakeRule("ping", "workstation", "domain-controller", 0, 0, "icmp") with
        {
            Transports = [Transport.Icmp], Ports = [], Icmp = [new IcmpMessage(IpProtocol.Icmp, 8, -1)],
        },
    ]);

    private static FlowAuditor Auditor() => new(AuditContext.Create(PingCatalog, LoadInventory(InventoryYaml, PingCatalog)));

    private static Flow Echo(string client, string server) =>
        Assert.Single(FlowsOf(Ethernet(Ip(client, server, 1, IcmpError(8, 0, [1, 2, 3, 4]))), Ethernet(Ip(server, client, 1, IcmpError(0, 0, [1, 2, 3, 4])))));

    // A port unreachable about a datagram the capture never showed: a flow of its own, from the host that sent it.
    private static Flow PortUnreachable(string from, string to) =>
        Assert.Single(FlowsOf(Ethernet(Ip(from, to, 1, Unreachable(false, 3, Ip(to, from, 17, Udp(53, 40000)))))));

    [Fact]
    public void TheRuleAllowsItsMessageAndNotAnotherBetweenTheSameRoles()
    {
        var auditor = Auditor();

        var ping = auditor.Audit(Echo(Ws, Dc));
        var unreachable = auditor.Audit(PortUnreachable(Ws2, Dc));

        Assert.Equal((Verdict.Expected, "ping"), (ping.Verdict, ping.Rule?.Id));
        Assert.Equal((Verdict.Unexpected, null), (unreachable.Verdict, unreachable.Rule?.Id));
    }

    [Fact]
    public void ATimestampRequestAfterAnAllowedPingIsAFlowOfItsOwnAndUnexpected()
    {
        // Kept per host pair, the timestamp exchange joined the ping's flow and passed under the echo-only rule.
        var flows = FlowsOf(
            Ethernet(Ip(Ws, Dc, 1, IcmpError(8, 0, [0, 1, 0, 1]))),
            Ethernet(Ip(Dc, Ws, 1, IcmpError(0, 0, [0, 1, 0, 1]))),
            Ethernet(Ip(Ws, Dc, 1, IcmpError(13, 0, [0, 2, 0, 1]))),
            Ethernet(Ip(Dc, Ws, 1, IcmpError(14, 0, [0, 2, 0, 1]))));
        var auditor = Auditor();

        var verdicts = flows.OrderBy(f => f.Id).Select(f => (f.IcmpType, auditor.Audit(f).Verdict)).ToList();

        Assert.Equal([((byte)8, Verdict.Expected), ((byte)13, Verdict.Unexpected)], verdicts);
    }

    [Fact]
    public void FindingsAreApartByMessageAndOnlyTheRulesMessageIsExplainedByARole()
    {
        var auditor = Auditor();

        auditor.Audit(Echo(Ws, Sip));
        auditor.Audit(PortUnreachable(Ws2, Sip));
        var findings = auditor.Complete().Findings.Where(f => f.Transport == "icmp").OrderBy(f => f.Ports, StringComparer.Ordinal).ToList();

        Assert.Equal(["echo-request", "port-unreachable"], findings.Select(f => f.Ports));
        Assert.Equal("would be allowed if sip01 had role domain-controller (rule ping)", findings[0].Explanation);
        Assert.Null(findings[1].Explanation);
    }
}
