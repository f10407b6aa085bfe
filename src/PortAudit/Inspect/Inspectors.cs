using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Inspect;

/// <summary>
/// The registry of built-in inspectors. Each declares its precision and place (<see cref="InspectorDescriptor"/>);
/// the registry asks exact signatures first, loose ones later and the RTP/RTCP heuristics last, so that a weak guess
/// never takes a flow a precise reading could have named.
/// </summary>
public static class Inspectors
{
    /// <summary>Every label a built-in inspector can write to <c>Flow.App</c>.</summary>
    public static IReadOnlySet<AppLabel> Labels { get; } = Create().SelectMany(i => i.Descriptor.Produces).ToHashSet();

    /// <summary>Creates one of each built-in inspector, in the declared order.</summary>
    public static IReadOnlyList<IInspector> CreateAll() => InDeclaredOrder(Create());

    /// <summary>
    /// <paramref name="inspectors"/> by declared precision, then declared order; inspectors that declare the same place
    /// keep the order they were given in.
    /// </summary>
    public static IReadOnlyList<IInspector> InDeclaredOrder(IEnumerable<IInspector> inspectors) =>
        inspectors.OrderBy(i => i.Descriptor.Precision).ThenBy(i => i.Descriptor.Order).ToArray();

    // In no particular order: the descriptors decide it.
    private static IEnumerable<IInspector> Create() =>
    [
        new DceRpcClInspector(), new DceRpcCoInspector(), new DnsInspector(), new DtlsInspector(), new HttpInspector(),
        new QuicInspector(), new QuicShortHeaderInspector(),
        new IkeInspector(), new KerberosInspector(), new LdapInspector(), new MailInspector(MailDialect.Imap),
        new MailInspector(MailDialect.Nntp), new MailInspector(MailDialect.Ftp), new MailInspector(MailDialect.Pop3), new MailInspector(MailDialect.Smtp),
        new NetBiosDatagramInspector(), new NetBiosNameInspector(), new NetBiosSessionInspector(), new NtpInspector(),
        new RadiusInspector(), new RdpInspector(), new RtcpInspector(), new RtpInspector(), new SipInspector(),
        new SmbInspector(), new SnmpInspector(), new StunInspector(), new TdsInspector(), new TftpInspector(), new TlsInspector(),
        new XmppInspector(), new SccpInspector(), new DhcpInspector(), new Dhcpv6Inspector(), new SsdpInspector(),
        new RdpUdpInspector(), new KpasswdInspector(), new MsmqInspector(), new SqlBrowserInspector(),
        new WinsReplicationInspector(), new TelnetInspector(), new RtspInspector(), new PptpInspector(), new L2tpInspector(),
        new GtpInspector(), new VncInspector(), new SshInspector(), new WireGuardInspector(), new OpenVpnInspector(),
        new OpenVpnDataInspector(), new CapwapInspector(),
        new SocksInspector(), new DnsCryptInspector(), new TeredoInspector(),
        new ModbusInspector(), new S7commInspector(), new EtherNetIpInspector(),
    ];
}
