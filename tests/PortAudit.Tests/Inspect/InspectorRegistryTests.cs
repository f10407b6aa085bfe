using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Tests.Inspect;

/// <summary>The inspectors' declarations decide their order and the labels the catalog may rely on.</summary>
[Trait("Tier", "unit")]
public class InspectorRegistryTests
{
    // The order the engine asked them in when the list was kept by hand: exact signatures, text, loose, heuristics.
    private static readonly string[] FormerOrder =
    [
        "dcerpc", "dcerpc", "tls", "dtls", "smb", "netbios-ssn", "kerberos", "ldap", "snmp", "netbios-ns", "netbios-dgm",
        "rdp", "tds", "sip", "http", "smtp", "pop3", "imap", "nntp", "ftp", "xmpp", "dns", "stun", "radius", "ike", "ntp",
        "rtcp", "rtp",
    ];

    // The inspectors of issue 20 each take the place their precision gives them, after the former ones of that precision
    // but RTSP's start line, which comes before HTTP's.
    private static readonly string[] DeclaredOrder =
    [
        "dcerpc", "dcerpc", "tls", "dtls", "quic", "smb", "netbios-ssn", "kerberos", "ldap", "snmp", "netbios-ns", "netbios-dgm",
        "rdp", "tds", "sccp", "rdpeudp", "dhcp", "pptp", "kpasswd", "msmq", "sql-browser", "wins-replication", "telnet", "vnc", "ssh",
        "wireguard", "openvpn", "openvpn", "capwap", "socks", "dnscrypt", "teredo", "modbus", "s7comm", "enip",
        "sip", "rtsp", "http", "smtp", "pop3", "imap", "nntp", "ftp", "xmpp", "ssdp",
        "dns", "stun", "radius", "ike", "ntp", "tftp", "dhcpv6", "l2tp", "gtp-c",
        "rtcp", "rtp", "quic",
    ];

    [Fact]
    public void DeclaredOrderKeepsTheFormerHandKeptOrder()
    {
        var inspectors = Inspectors.CreateAll();

        Assert.Equal(DeclaredOrder, inspectors.Select(i => i.Descriptor.Label.Name));
        Assert.Equal(FormerOrder, inspectors.Select(i => i.Descriptor.Label.Name).Where(FormerOrder.Contains));
        Assert.IsType<DceRpcCoInspector>(inspectors[0]);
        Assert.IsType<DceRpcClInspector>(inspectors[1]);
    }

    [Fact]
    public void OrderDoesNotDependOnTheOrderGiven()
    {
        var reversed = Inspectors.InDeclaredOrder(Inspectors.CreateAll().Reverse());

        Assert.Equal(DeclaredOrder, reversed.Select(i => i.Descriptor.Label.Name));
    }

    [Fact]
    public void LabelsAreEveryLabelTheInspectorsProduceCldapIncluded()
    {
        Assert.Contains(AppLabel.Cldap, Inspectors.Labels);
        // The TLS inspector also writes stun, for MS-TURN's pseudo-TLS, and pseudo-tls for its imitation; the HTTP
        // inspector http-proxy for a CONNECT; announced flows are labelled ftp-data; GTP's inspector gtp-u for the user
        // plane's echoes.
        Assert.Equal(DeclaredOrder.Append("cldap").Append("pseudo-tls").Append("http-proxy").Append("ftp-data").Append("gtp-u").ToHashSet(), Inspectors.Labels.Select(l => l.Name).ToHashSet());
    }

    [Fact]
    public void DescriptorsDeclareTransportsPortsAndDepth()
    {
        var tls = new TlsInspector().Descriptor;
        Assert.Equal((ProbeDepth.Exchange, InspectorPrecision.Signature), (tls.Depth, tls.Precision));
        Assert.True(tls.HintsPort(6, 443));
        Assert.False(tls.HintsPort(17, 443));
        Assert.Equal(ProbeDepth.SeveralMessages, new RtpInspector().Descriptor.Depth);
        // The DCE/RPC inspector also hints the dynamic range, beyond its declared ports.
        Assert.True(new DceRpcCoInspector().HintsPort(6, 49668));
        Assert.False(new DceRpcCoInspector().Descriptor.HintsPort(6, 49668));
    }

    [Fact]
    public void LabelsCompareByNameAndWellKnownOnesAreShared()
    {
        Assert.Same(AppLabel.Tls, AppLabel.Of("tls"));
        Assert.True(AppLabel.TryGetWellKnown("netbios-ssn", out var ssn) && ssn == AppLabel.NetBiosSsn);
        Assert.False(AppLabel.TryGetWellKnown("gopher", out _));
        Assert.Equal(AppLabel.Of("gopher"), AppLabel.Of("gopher"));
        Assert.NotEqual(AppLabel.Tls, AppLabel.Dtls);
    }
}
