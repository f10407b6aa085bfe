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

    /// <summary>
    /// A TCP segment carried, for bytes of the stream already seen, different bytes (an inconsistent retransmission or
    /// overlap): one copy never reached the receiver, and which one it read cannot be known from the capture. Inspection
    /// kept the first. The signature of an IDS evasion by insertion (a bad checksum, a short TTL, data before the handshake).
    /// </summary>
    TcpOverlap = 8,

    /// <summary>
    /// A TCP segment marked urgent data (URG): the receiver's socket takes the urgent byte out of band, unless it asked
    /// for it inline, so the sender can hide a byte from one reader and not the other. Inspection reads the stream as a
    /// default socket does, without the byte. Nothing on the catalog's protocols sends urgent data but Telnet and rlogin.
    /// </summary>
    TcpUrgent = 16,

    /// <summary>
    /// A server chose SSL 2.0 or 3.0 (RFC 6176, RFC 7568), TLS 1.0 or 1.1, or DTLS 1.0 (RFC 8996): versions deprecated
    /// for their MD5 and SHA-1 handshake hashes and their CBC and RC4 ciphers, which no client or server may negotiate
    /// any more (<see cref="TlsVersions.IsDeprecated"/>).
    /// </summary>
    TlsDeprecated = 32,

    /// <summary>
    /// A TLS or DTLS server chose a weak cipher suite (<see cref="TlsCipherSuites.Flaws"/>): no encryption, export-grade,
    /// RC4, DES or RC2, 3DES or IDEA, or anonymous key exchange; the flow's detail names it (<c>cipher=...</c>).
    /// </summary>
    TlsWeakCipher = 64,

    /// <summary>
    /// A TLS server presented a weak leaf certificate (<see cref="TlsCertificateFlaws"/>): an RSA key under 2048 bits, or
    /// signed with MD5 or SHA-1 by another; the flow's detail says which (<c>cert=...</c>).
    /// </summary>
    TlsWeakCertificate = 128,
}
