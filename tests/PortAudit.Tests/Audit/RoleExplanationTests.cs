using System.Text.RegularExpressions;
using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// What would explain an unexpected flow is something that would: given the role (and the publication) an explanation
/// proposes, the inventory makes the flow expected. A role changes no feature, so a rule whose condition is enabled on
/// neither end, or whose <c>unless</c> feature is on one, explains nothing; a listener row explains an Internet client's
/// flow only with the server's publication.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RoleExplanationTests
{
    private const string Internet = "198.51.100.7";

    private sealed record Host(string Name, string Address, string[] Roles, string[] Features, string[] Published);

    private static Host Named(string name, string address, params string[] roles) => new(name, address, roles, [], []);

    private static readonly Host Unity = Named("unity01", "10.2.0.10", "cisco-unity");
    private static readonly Host Cucm = Named("cucm01", "10.2.0.20", "cucm");
    private static readonly Host Ws = Named("ws01", "10.2.0.100", "workstation");
    private static readonly Host Dc = Named("dc01", "10.2.0.30", "domain-controller");

    [Fact]
    public void ARuleWhoseConditionIsEnabledOnAThirdHostProposesNoRole()
    {
        // unity-cucm-sccp needs sccp-integration, enabled on unity01 alone: ws01 as a Unity server would still lack it.
        Host[] hosts = [Unity with { Features = ["sccp-integration"] }, Cucm, Ws];

        var explanation = ExplanationOf(hosts, Established(Ws.Address, Cucm.Address, 2000));

        Assert.Null(explanation);
    }

    [Fact]
    public void ARuleTheServersUnlessFeatureTurnsOffIsNotTheOneProposed()
    {
        // unity-admin-https does not apply to a Unity server with unity.https-disabled, whatever role its client plays
        // (it was "if ws01 had role admin-workstation"): the next rule on 443 that would allow the flow explains it.
        Host[] hosts = [Unity with { Features = ["unity-web-admin", "unity.https-disabled"] }, Ws];
        var https = Established(Ws.Address, Unity.Address, 443);

        var explanation = ExplanationOf(hosts, https);

        Assert.Equal("would be allowed if unity01 had role lync-front-end (rule lync-fe-web-https)", explanation);
        AssertExplanationHolds(hosts, https, explanation);
    }

    [Theory]
    [InlineData("domain-controller", "would be allowed if dc01 had role terminal-server and published rdp (rule kb832017-terminal-server-rdp-tcp-3389)")]
    [InlineData("terminal-server", "would be allowed if dc01 published rdp (rule kb832017-terminal-server-rdp-tcp-3389)")]
    public void AListenerRowExplainsAnInternetClientsFlowWithThePublicationItNeeds(string role, string expected)
    {
        // The role alone ("if dc01 had role terminal-server") left the flow unexpected: the row admits the Internet only
        // where the server publishes it.
        Host[] hosts = [Named("dc01", Dc.Address, role)];
        var rdp = Established(Internet, Dc.Address, 3389);

        var explanation = ExplanationOf(hosts, rdp);

        Assert.Equal(expected, explanation);
        AssertExplanationHolds(hosts, rdp, explanation);
    }

    [Fact]
    public void ARoleThatSufficesIsStillProposed()
    {
        Host[] hosts = [Unity with { Features = ["sccp-integration"] }, Cucm];
        var sccp = Established(Unity.Address, Cucm.Address, 2000);
        Host[] withoutRole = [Unity with { Roles = ["workstation"], Features = ["sccp-integration"] }, Cucm];

        var explanation = ExplanationOf(withoutRole, sccp);

        Assert.Equal("would be allowed if unity01 had role cisco-unity (rule unity-cucm-sccp)", explanation);
        AssertExplanationHolds(withoutRole, sccp, explanation);
        Assert.Equal(Verdict.Expected, RepositoryAuditor(Yaml(hosts)).Audit(Again(sccp)).Verdict);
    }

    [Fact]
    public void NoRuleWhoseProtocolTheServersAlpnChoiceContradictsIsProposed()
    {
        // dc01 served HTTP/2 inside TLS on LDAPS's port: as a domain controller the flow would be a protocol mismatch,
        // not allowed, and every rule on tcp/636 is LDAPS's. A client's offer alone proves nothing and explains as before.
        Host[] hosts = [Ws, Named("dc01", Dc.Address, "workstation")];
        var offered = Inspected(Established(Ws.Address, Dc.Address, 636), AppLabel.Tls, "alpn=h2,http/1.1; version=tls1.2");
        var selected = Inspected(Established(Ws.Address, Dc.Address, 636), AppLabel.Tls, "alpn=h2,http/1.1; version=tls1.2; alpn-selected=h2");

        var explanations = (ExplanationOf(hosts, offered), ExplanationOf(hosts, selected));

        Assert.Equal(("would be allowed if dc01 had role domain-controller (rule kb832017-domain-controller-ldaps-tcp-636)", (string?)null),
            explanations);
        AssertExplanationHolds(hosts, offered, explanations.Item1);
        Host[] asTheRuleSays = [Ws, Named("dc01", Dc.Address, "domain-controller")];
        Assert.Equal(Verdict.ProtocolMismatch,
            RepositoryAuditor(Yaml(asTheRuleSays)).Audit(Inspected(Again(selected), AppLabel.Tls, "alpn=h2; version=tls1.2; alpn-selected=h2")).Verdict);
    }

    private static string? ExplanationOf(Host[] hosts, Flow flow)
    {
        var auditor = RepositoryAuditor(Yaml(hosts));
        Assert.Equal(Verdict.Unexpected, auditor.Audit(flow).Verdict);
        return Assert.Single(auditor.Complete().Findings, f => f.Kind == FindingKind.Unexpected).Explanation;
    }

    // The tester's check: give the hosts what the explanation says they lack, audit again, and the flow is expected.
    private static void AssertExplanationHolds(Host[] hosts, Flow flow, string? explanation)
    {
        if (explanation is null) return;
        var said = Regex.Match(explanation,
            @"^would be allowed if (?:(?<host>\S+) had role (?<role>\S+)(?: or \S+)*(?: and (?:(?<publisher>\S+) )?published (?<protocol>\S+))?" +
            @"|(?<publisher>\S+) published (?<protocol>\S+)) \(rule \S+\)$");
        Assert.True(said.Success, explanation);
        string publisher = said.Groups["publisher"].Success ? said.Groups["publisher"].Value : said.Groups["host"].Value;
        var given = hosts.Select(h => h with
        {
            Roles = h.Name == said.Groups["host"].Value ? [.. h.Roles, said.Groups["role"].Value] : h.Roles,
            Published = h.Name == publisher && said.Groups["protocol"].Success ? [.. h.Published, said.Groups["protocol"].Value] : h.Published,
        }).ToArray();
        Assert.Equal(Verdict.Expected, RepositoryAuditor(Yaml(given)).Audit(Again(flow)).Verdict);
    }

    // The same handshake again, for an auditor of its own.
    private static Flow Again(Flow flow) => Established(flow.Client.ToString(), flow.Server.ToString(), flow.ServerPort);

    private static string Yaml(IEnumerable<Host> hosts) => "hosts:\n" + string.Concat(hosts.Select(h =>
        $"  - name: {h.Name}\n    addresses: [{h.Address}]\n    roles: [{string.Join(", ", h.Roles)}]\n" +
        (h.Features.Length > 0 ? $"    features: [{string.Join(", ", h.Features)}]\n" : "") +
        (h.Published.Length > 0 ? $"    published: [{string.Join(", ", h.Published)}]\n" : "")));
}
