using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Flows;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A tunnel's own flow is judged as a firewall between its ends judges it, by the tunnel's IP protocol between the
/// tunnel's ends: KB832017's GRE and L2TP rows admit PPTP's GRE and L2TP to a published RRAS server, and nothing admits 6in4 from the
/// Internet, VXLAN or GTP-U between segments, whatever the flows inside are; those are judged on their own addresses.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TunnelCarrierAuditTests
{
    internal const string Site = """
        segments:
          - name: lan
            cidrs: [10.0.0.0/16]
            zone: internal
          - name: internet
            cidrs: [0.0.0.0/0]
            zone: external
        hosts:
          - name: rras01
            addresses: [10.0.1.40]
            roles: [rras-server]
            published: [gre, pptp]
          - name: clients
            cidrs: [10.0.8.0/22]
            roles: [workstation]
        features: [vpn]
        """;

    private const string Internet = "198.51.100.7";

    [Fact]
    public void Pptps_gre_to_a_published_rras_server_is_the_kb832017_gre_row()
    {
        var inner = Ip("192.168.99.2", "10.0.8.9", IpProtocol.Tcp, Tcp(50000, 445, Syn));
        var flows = FlowsOf(
            Ethernet(Ipv4(Internet, "10.0.1.40", IpProtocol.Gre, Gre(0x0800, inner))),
            Ethernet(Ipv4("10.0.1.40", Internet, IpProtocol.Gre, Gre(0x880B, new byte[16]))));

        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Gre);
        var verdict = RepositoryAuditor(Site).Audit(carrier);
        Assert.Equal((Verdict.Expected, "kb832017-rras-server-gre"), (verdict.Verdict, verdict.Rule?.Id));
    }

    // An Internet client's GRE to the published RRAS server, and the destination unreachable of code code about it that
    // the firewall's inside address, 10.0.0.1, sent back.
    private static List<Flow> GreAnsweredByTheFirewall(byte code)
    {
        var gre = Ipv4(Internet, "10.0.1.40", IpProtocol.Gre, Gre(0x0800, Ip("192.168.99.2", "10.0.8.9", IpProtocol.Tcp, Tcp(50000, 445, Syn))));
        return FlowsOf(Ethernet(gre), Ethernet(Ipv4("10.0.0.1", Internet, IpProtocol.Icmp, IcmpError(3, code, gre[..28]))));
    }

    [Fact]
    public void A_routers_error_about_the_tunnel_is_evidence_on_its_carrier_not_icmp_to_judge()
    {
        // The firewall's inside address tells the Internet client that its GRE packet was too large for the path: that is
        // about the tunnel the rule admits, not ICMP from the LAN to the Internet that no rule does.
        var flows = GreAnsweredByTheFirewall(code: 4);

        Assert.DoesNotContain(flows, f => f.Protocol == IpProtocol.Icmp);
        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Gre);
        Assert.Equal(("fragmentation-needed from 10.0.0.1", FlowState.Unanswered), (carrier.IcmpErrors.ToString(), carrier.State));
        var verdict = RepositoryAuditor(Site).Audit(carrier);
        Assert.Equal((Verdict.Expected, "kb832017-rras-server-gre"), (verdict.Verdict, verdict.Rule?.Id));
    }

    [Fact]
    public void A_tunnel_a_firewall_refused_is_required_blocked_saying_who_refused_it()
    {
        // The Internet client's PPTP GRE, which a published RRAS server requires, answered by the firewall's inside address
        // with admin-prohibited: the tunnel's own flow is refused, and the finding says by whom.
        var flows = GreAnsweredByTheFirewall(code: 13);
        var auditor = RepositoryAuditor(Site);
        foreach (var flow in flows) auditor.Audit(flow);

        Assert.Equal(FlowState.Rejected, Assert.Single(flows, f => f.Protocol == IpProtocol.Gre).State);
        var findings = auditor.Complete().Findings;
        var finding = Assert.Single(findings, f => f.Kind == FindingKind.RequiredBlocked);
        Assert.Equal(("rras01", "gre", "kb832017-rras-server-gre"), (finding.ServerHost, finding.Transport, finding.Rule));
        Assert.Equal("rejected attempt (admin-prohibited from 10.0.0.1) of gre required by rule kb832017-rras-server-gre", finding.Reason);
        Assert.DoesNotContain(findings, f => f.Transport == "icmp");
    }

    [Fact]
    public void Six_in_four_from_the_internet_to_a_workstation_is_unexpected_whatever_it_carries()
    {
        var inner = Ipv6("2001:db8::a", "2001:db8::b", IpProtocol.Tcp, Tcp(50000, 443, Syn));
        var flows = FlowsOf(Ethernet(Ipv4(Internet, "10.0.8.9", IpProtocol.Ipv6InIp, inner)));

        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Ipv6InIp);
        Assert.Equal(("ipv6", Internet, "10.0.8.9"), (carrier.Transport, carrier.Client.ToString(), carrier.Server.ToString()));
        var verdict = RepositoryAuditor(Site).Audit(carrier);
        Assert.Equal(Verdict.Unexpected, verdict.Verdict);
        Assert.Null(verdict.Rule);
    }

    [Fact]
    public void Vxlan_between_two_hosts_is_unexpected_and_the_web_traffic_inside_it_is_a_workstations_own()
    {
        var inner = Ethernet(Ip("10.0.8.9", "157.240.224.35", IpProtocol.Tcp, Tcp(50000, 443, Syn)));
        var vxlan = Vxlan(inner, vni: 7);
        var flows = FlowsOf(Ethernet(Ipv4("10.0.8.20", "10.0.1.40", IpProtocol.Udp, Udp(41000, 4789, vxlan))));

        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Udp);
        Assert.Equal(("vxlan", 4789), (carrier.App?.Name, (int)carrier.ServerPort));
        Assert.Equal(Verdict.Unexpected, RepositoryAuditor(Site).Audit(carrier).Verdict);
        // Inside: the workstation's own conversation, which a firewall between the segments never sees as such.
        var web = Assert.Single(flows, f => f.Protocol == IpProtocol.Tcp);
        Assert.True(web.Carried);
        Assert.Equal(("10.0.8.9", "157.240.224.35", (ushort)443), (web.Client.ToString(), web.Server.ToString(), web.ServerPort));
        // Its finding says how it crossed: by the tunnel, named as the firewall saw it.
        var auditor = RepositoryAuditor(Site);
        foreach (var flow in flows) auditor.Audit(flow);
        var findings = auditor.Complete().Findings;
        var finding = Assert.Single(findings, f => f.Ports == "443");
        Assert.Equal((1L, "vxlan 10.0.8.20:41000 → 10.0.1.40:4789"), (finding.TunnelledFlows, finding.FirstTunnel));
        Assert.Equal("vxlan 10.0.8.20:41000 → 10.0.1.40:4789", Assert.Single(finding.Samples).Tunnel);
        Assert.StartsWith("1 of its flows came inside a tunnel (vxlan 10.0.8.20:41000", PortAudit.Report.FindingText.Tunnelled(finding));
        Assert.Null(PortAudit.Report.FindingText.Tunnelled(Assert.Single(findings, f => f.Ports == "4789")));
    }

    [Fact]
    public void GtpU_between_two_hosts_is_unexpected_on_2152_and_the_users_packets_are_judged_on_their_own_addresses()
    {
        // A user plane tunnel (a base station to its gateway, 2152 at both ends) across the segments' firewall.
        var user = Ip("10.0.8.9", "157.240.224.35", IpProtocol.Tcp, Tcp(50000, 443, Syn));
        var flows = FlowsOf(Ethernet(Ipv4("10.0.8.20", "10.0.1.40", IpProtocol.Udp, Udp(2152, 2152, GtpU(user, 0x32)))));

        var carrier = Assert.Single(flows, f => f.Protocol == IpProtocol.Udp);
        Assert.Equal(("gtp-u", "10.0.1.40", 2152), (carrier.App?.Name, carrier.Server.ToString(), (int)carrier.ServerPort));
        var verdict = RepositoryAuditor(Site).Audit(carrier);
        Assert.Equal((Verdict.Unexpected, null), (verdict.Verdict, verdict.Rule));
        var web = Assert.Single(flows, f => f.Protocol == IpProtocol.Tcp);
        Assert.Equal(("10.0.8.9", (ushort)443, "gtp-u 10.0.8.20:2152 → 10.0.1.40:2152"), (web.Client.ToString(), web.ServerPort, web.Tunnel?.ToString()));
    }

    [Fact]
    public void L2tp_to_an_rras_server_that_publishes_it_is_the_kb832017_l2tp_row_and_the_users_packets_are_their_own()
    {
        // A remote user's L2TP without IPsec, 1701 at both ends, to the RRAS server: the data message carries the user's
        // SMB to a workstation; the client's LCP echo request is the link's own, a UDP flow on the same ports (which
        // inspection, not run here, names l2tp).
        var user = Ip("192.168.99.2", "10.0.8.9", IpProtocol.Tcp, Tcp(50000, 445, Syn));
        var flows = FlowsOf(
            Ethernet(Ipv4(Internet, "10.0.1.40", IpProtocol.Udp, Udp(1701, 1701, L2tpData(Ppp(0x0021, user))))),
            Ethernet(Ipv4(Internet, "10.0.1.40", IpProtocol.Udp, Udp(1701, 1701, L2tpData(Ppp(0xC021, [9, 1, 0, 8, 0, 0, 0, 1]))))));

        var auditor = RepositoryAuditor(Site.Replace("published: [gre, pptp]", "published: [gre, pptp, l2tp]"));
        var carrier = Assert.Single(flows, f => f.App?.Name == "l2tp");
        var link = Assert.Single(flows, f => f.Protocol == IpProtocol.Udp && f.App is null);
        Assert.Equal((1L, 1L), (carrier.PacketsToServer, link.PacketsToServer));
        foreach (var flow in new[] { carrier, link })
            Assert.Equal((Verdict.Expected, "kb832017-rras-server-l2tp-udp-1701"), (auditor.Audit(flow).Verdict, auditor.Audit(flow).Rule?.Id));
        var smb = Assert.Single(flows, f => f.Protocol == IpProtocol.Tcp);
        Assert.Equal(("192.168.99.2", "10.0.8.9", "l2tp 198.51.100.7:1701 → 10.0.1.40:1701"), (smb.Client.ToString(), smb.Server.ToString(), smb.Tunnel?.ToString()));
        Assert.Equal(Verdict.Unexpected, RepositoryAuditor(Site).Audit(carrier).Verdict);
    }

    [Fact]
    public void Gre_to_an_rras_server_that_does_not_publish_it_is_unexpected()
    {
        var flows = FlowsOf(Ethernet(Ipv4(Internet, "10.0.1.40", IpProtocol.Gre, Gre(0x880B, new byte[16]))));
        var carrier = Assert.Single(flows);
        Assert.Equal(Verdict.Unexpected, RepositoryAuditor(Site.Replace("published: [gre, pptp]", "published: [pptp]")).Audit(carrier).Verdict);
    }
}
