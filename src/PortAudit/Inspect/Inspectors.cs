using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Inspect;

/// <summary>
/// The built-in inspectors in their default order: exact signatures first, loose ones later, and the RTP/RTCP
/// heuristics last, so that a weak guess never takes a flow a precise reading could have named.
/// </summary>
public static class Inspectors
{
    /// <summary>Creates one of each built-in inspector.</summary>
    public static IReadOnlyList<IInspector> CreateAll() => new IInspector[]
    {
        new DceRpcCoInspector(),
        new DceRpcClInspector(),
        new TlsInspector(),
        new DtlsInspector(),
        new SmbInspector(),
        new NetBiosSessionInspector(),
        new KerberosInspector(),
        new LdapInspector(),
        new SnmpInspector(),
        new NetBiosNameInspector(),
        new NetBiosDatagramInspector(),
        new RdpInspector(),
        new TdsInspector(),
        new SipInspector(),
        new HttpInspector(),
        new MailInspector(MailDialect.Smtp),
        new MailInspector(MailDialect.Pop3),
        new MailInspector(MailDialect.Imap),
        new MailInspector(MailDialect.Nntp),
        new XmppInspector(),
        new DnsInspector(),
        new StunInspector(),
        new RadiusInspector(),
        new IkeInspector(),
        new NtpInspector(),
        new RtcpInspector(),
        new RtpInspector(),
    };
}
