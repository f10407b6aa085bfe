using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>
/// The protocols a security review flags even on an allowed port: SMB1 (no integrity, the EternalBlue family), an LDAP
/// simple bind that sends a password in clear text, NTLMv1 (its responses are cracked offline), TLS below 1.2 chosen by
/// a server (RFC 8996) or a weak cipher suite (RC4, no encryption, export-grade, DES, 3DES, anonymous), a weak server certificate (an RSA key
/// under 2048 bits, signed with MD5 or SHA-1), and Telnet or FTP (clear text logons) between two zones; and TCP streams that two readers may
/// read differently (retransmissions that disagree, urgent data), the marks of an evasion. Each rests on what
/// inspection read, never on a port.
/// </summary>
public static class WeakProtocols
{
    /// <summary>The weaknesses of <paramref name="flow"/> in words ("smb1; ntlmv1"), or null when it shows none.</summary>
    public static string? Of(Flow flow, AuditEndpoint client, AuditEndpoint server)
    {
        var weakness = flow.Weakness;
        // Telnet sends its Synch as urgent data (RFC 854), and an FTP client its ABORT on the control connection (RFC 959
        // 4.1.3): there it is the protocol, not a trick.
        if (flow.App == AppLabel.Telnet || flow.App == AppLabel.Ftp) weakness &= ~FlowWeakness.TcpUrgent;
        bool cleartextLogon = flow.App == AppLabel.Telnet || flow.App == AppLabel.Ftp;
        string? crossing = cleartextLogon && client.Zone != server.Zone
            ? $"{flow.App} across zones ({client.Zone} to {server.Zone}): logons in clear text"
            : null;
        if (weakness == FlowWeakness.None) return crossing;
        var words = string.Join("; ", Descriptions.Where(d => (weakness & d.Weakness) != 0).Select(d => d.Text(flow)));
        return crossing is null ? words : $"{words}; {crossing}";
    }

    // Each weakness's words; the TLS version's name the flow's.
    private static readonly (FlowWeakness Weakness, Func<Flow, string> Text)[] Descriptions =
    [
        (FlowWeakness.Smb1, static _ => "smb1 (SMB1/CIFS, deprecated: no pre-authentication integrity)"),
        (FlowWeakness.LdapCleartextBind, static _ => "ldap-cleartext-bind (an LDAP simple bind sent a password in clear text)"),
        (FlowWeakness.NtlmV1, static _ => "ntlmv1 (an NTLMv1 response, crackable offline)"),
        (FlowWeakness.TcpOverlap, static _ => "tcp-overlap (a TCP segment re-sent bytes of the stream with different content: which copy the " +
                                              "receiver read cannot be known, inspection kept the first; the mark of an IDS evasion by insertion)"),
        (FlowWeakness.TcpUrgent, static _ => "tcp-urgent (TCP urgent data: the receiver's socket reads the urgent byte out of band or inline, " +
                                             "as it chose; inspection left it out, as a default socket does; a way to hide a byte from an IDS)"),
        (FlowWeakness.TlsDeprecated, DeprecatedTls),
        (FlowWeakness.TlsWeakCipher, WeakCipher),
        (FlowWeakness.TlsWeakCertificate, WeakCertificate),
    ];

    // Names the version the server chose, as inspection (or Zeek's ssl.log) wrote it in the detail.
    private static string DeprecatedTls(Flow flow) =>
        $"tls-deprecated (the server chose {flow.AppDetail?.Find(DetailKeys.Version) ?? "a version below TLS 1.2"}: SSL 2.0 and " +
        "3.0, TLS 1.0 and 1.1 and DTLS 1.0 are deprecated by RFC 6176, RFC 7568 and RFC 8996, and no peer may negotiate them)";

    // Names the suite the server chose and what is weak in it, as the detail gives it (an inspector's or ssl.log's name).
    private static string WeakCipher(Flow flow) => flow.AppDetail?.Find(DetailKeys.Cipher) is { } name
                                                   && TlsCipherSuites.Flaws(name) is var flaws and not TlsCipherFlaws.None
        ? $"tls-weak-cipher (the server chose {name}: {TlsCipherSuites.Describe(flaws)})"
        : "tls-weak-cipher (the server chose a weak cipher suite)";

    // What is weak in the certificate the server presented, as inspection wrote it in the detail.
    private static string WeakCertificate(Flow flow) => flow.AppDetail?.Find(DetailKeys.Certificate) is { } flaws
        ? $"tls-weak-certificate (the server's certificate: {TlsCertificateFlaws.Describe(flaws)})"
        : "tls-weak-certificate (the server presented a weak certificate)";
}
