using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Catalog;
using PortAudit.Tests.Cli;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

[Trait(Tier.Name, Tier.Unit)]
public class RoleSuggestionTests
{
    private static ServedService Tcp(int port, params string[] apps) => new(Transport.Tcp, port, 1, apps.Select(AppLabel.Of).ToList());

    [Fact]
    public void RoleWhoseRulesExplainEveryServedPortScoresOneWithItsEvidence()
    {
        var best = new RoleSuggester(AuditFixture.Catalog).Suggest([Tcp(389), Tcp(135)])[0];

        Assert.Equal(("domain-controller", 1.0), (best.Role, best.Score));
        Assert.Equal(["ldap", "epm"], best.Evidence.Select(e => e.Rule.Id));
        Assert.Equal((2, 4), (best.RolePortsSeen, best.RolePorts));
    }

    [Fact]
    public void PartlyExplainedHostsScoreTheShareExplained()
    {
        var suggestion = Assert.Single(new RoleSuggester(AuditFixture.Catalog).Suggest([Tcp(389), Tcp(22), Tcp(23)]));

        Assert.Equal(0.33, suggestion.Score);
    }

    [Theory]
    [InlineData("tls", true)]
    [InlineData("sip", false)]
    public void ContradictingProtocolExplainsNothing(string app, bool suggested)
    {
        var roles = new RoleSuggester(AuditFixture.Catalog).Suggest([Tcp(5061, app)]).Select(s => s.Role);

        Assert.Equal(suggested, roles.Contains("sip-server"));
    }

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "sip" }, true)]
    [InlineData(new[] { "http" }, false)]
    [InlineData(new[] { "http", "sip" }, true)]
    public void WhatTheServerSelectedInsideTlsMustBeWhatTheRuleCarries(string[] carried, bool suggested)
    {
        // sip-server's 5061 rule is sip-tls: a server that chose HTTP inside TLS there is no SIP server by that port.
        var service = Tcp(5061, "tls") with { Carried = carried.Select(AppLabel.Of).ToList() };

        var roles = new RoleSuggester(AuditFixture.Catalog).Suggest([service]).Select(s => s.Role);

        Assert.Equal(suggested, roles.Contains("sip-server"));
    }

    [Fact]
    public void TheCollectorKeepsWhatServersSelectedInsideTlsAndAMergeKeepsEveryChoice()
    {
        var flows = FlowsOf([.. Handshake(Ws, Sip, 5061, 40001), .. Handshake(Ws2, Sip, 5061, 40002), .. Handshake(Ws, Sip, 5061, 40003)]);
        string[] details = ["alpn=h2; version=tls1.2; alpn-selected=h2", "alpn=h2; version=tls1.2; alpn-selected=http/1.1", "alpn=h2; version=tls1.2"];
        var collector = new ServedTrafficCollector(_ => true);
        foreach (var (flow, detail) in flows.Zip(details)) collector.OnFlowEnd(Inspected(flow, AppLabel.Tls, detail));

        var service = Assert.Single(Assert.Single(collector.Hosts).Services);
        Assert.Equal(3L, service.Flows);
        Assert.Equal([AppLabel.Http], service.Carried);
        var sip = Tcp(5061, "tls") with { Carried = [AppLabel.Sip] };
        Assert.Equal([AppLabel.Http, AppLabel.Sip], HostEvidence.MergeServices([service, sip]).Single().Carried);
        using var json = new MemoryStream();
        PortAudit.Report.Listings.RoleSuggestionWriter.WriteJson(json, [new PortAudit.Audit.HostSuggestion(IpAddr.Parse(Sip), [service], [])]);
        Assert.Contains("\"apps\":[\"tls\"],\"carried\":[\"http\"]", System.Text.Encoding.UTF8.GetString(json.ToArray()).Replace(" ", "").Replace("\n", ""));
        var text = new StringWriter();
        PortAudit.Report.Listings.RoleSuggestionWriter.WriteText(text, [new PortAudit.Audit.HostSuggestion(IpAddr.Parse(Sip), [service, Tcp(5061, "tls")], [])]);
        Assert.Contains("tcp/5061 (3 flows, carrying http), tcp/5061 (1 flows)", text.ToString());
    }

    [Fact]
    public void DynamicRangesSuggestNothing() => Assert.Empty(new RoleSuggester(AuditFixture.Catalog).Suggest([Tcp(49668)]));

    [Fact]
    public void CollectorCountsAnsweredFlowsOfIncludedServers()
    {
        Assert.True(IpAddr.TryParse(Sip, out var excluded));
        var collector = new ServedTrafficCollector(address => address != excluded);
        foreach (var flow in FlowsOf([.. Handshake(Ws, Dc, 389, 40001), .. Handshake(Ws2, Dc, 389, 40002), .. Refused(Ws, Dc, 22), .. Handshake(Ws, Sip, 5061)]))
            collector.OnFlowEnd(flow);

        var (address, services) = Assert.Single(collector.Hosts);
        Assert.Equal(Dc, address.ToString());
        Assert.Equal((Transport.Tcp, 389, 2L), (Assert.Single(services).Transport, services[0].Port, services[0].Flows));
    }

}

/// <summary>The suggest-roles command run as a process.</summary>
[Trait(Tier.Name, Tier.Cli)]
public class SuggestRolesCommandTests
{
    [Fact]
    public void CommandLeavesOutHostsOfTheInventory()
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules);
        var capture = Path.Combine(catalog.Root, "c.pcap");
        File.WriteAllBytes(capture, new PcapBuilder()
            .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Packets.Tcp(50000, 135, Syn))), 1)
            .Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Packets.Tcp(135, 50000, Syn | Ack))), 1.1)
            .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.3", 6, Packets.Tcp(50001, 135, Syn))), 2)
            .Add(Ethernet(Ipv4("10.0.0.3", "10.0.0.1", 6, Packets.Tcp(135, 50001, Syn | Ack))), 2.1)
            .Build());
        var inventory = Path.Combine(catalog.Root, "inventory.yaml");
        File.WriteAllText(inventory, "hosts:\n  - name: known\n    addresses: [10.0.0.3]\n    roles: [server]\n");

        var result = CliProcess.Run($"suggest-roles \"{capture}\" --inventory \"{inventory}\" --catalog \"{catalog.Dir}\"");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("10.0.0.2 served tcp/135 (1 flows)", result.StandardOutput);
        Assert.Contains("1.00  server  (1 of 5 role ports)  tcp/135 epm [demo-rpc]", result.StandardOutput);
        Assert.DoesNotContain("10.0.0.3", result.StandardOutput);
    }
}
