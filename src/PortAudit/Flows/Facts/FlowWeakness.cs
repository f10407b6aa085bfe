namespace PortAudit.Flows.Facts;

/// <summary>
/// Protocol weaknesses inspection saw in a flow, which a security review flags even on an allowed port: each is
/// evidence read from the packets, never inferred from a port.
/// </summary>
[Flags]
public enum FlowWeakness : byte
{
    /// <summary>Nothing seen.</summary>
    None = 0,

    /// <summary>An SMB1 (CIFS) message: a negotiate offering or a session speaking SMB1 ([MS-CIFS]).</summary>
    Smb1 = 1,

    /// <summary>An LDAP simple bind with a non-empty password in clear text (RFC 4513 5.1.3), not inside TLS.</summary>
    LdapCleartextBind = 2,

    /// <summary>An NTLM AUTHENTICATE message with a 24-byte NT response: NTLMv1 ([MS-NLMP] 3.3.1).</summary>
    NtlmV1 = 4,
}
