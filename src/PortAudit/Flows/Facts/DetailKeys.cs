namespace PortAudit.Flows.Facts;

/// <summary>
/// The keys of <see cref="AppDetail"/> parts that stages other than the inspector that wrote them read: the server a
/// client named and what TLS carries. One place for them, so that a flow record's source (Zeek's ssl.log and http.log)
/// writes what an inspector writes and the audit reads both alike.
/// </summary>
public static class DetailKeys
{
    /// <summary>The server name a TLS, DTLS or QUIC client hello carried (SNI): <c>sni=example.org</c>.</summary>
    public const string ServerName = "sni";

    /// <summary>The Host an HTTP request named, with its port when it gave one: <c>host=example.org:8080</c>.</summary>
    public const string Host = "host";

    /// <summary>The target of an HTTP proxy's CONNECT: <c>target=example.org:443</c>.</summary>
    public const string ProxyTarget = "target";

    /// <summary>
    /// The word (a part without a key) of a text protocol's flow whose client asked for TLS: SMTP's, IMAP's, NNTP's and
    /// XMPP's STARTTLS, POP3's STLS, FTP's AUTH TLS.
    /// </summary>
    public const string StartTls = "starttls";

    /// <summary>
    /// The protocol version of a TLS, DTLS or QUIC flow (the ServerHello's choice once read, the ClientHello's highest
    /// before): <c>version=tls1.2</c>.
    /// </summary>
    public const string Version = "version";

    /// <summary>
    /// The ALPN protocol the server selected (RFC 7301 3.1: one name in the ServerHello of TLS 1.2 and before; TLS 1.3
    /// sends it in the encrypted EncryptedExtensions, out of sight), after the version: <c>alpn-selected=h2</c>.
    /// </summary>
    public const string SelectedAlpn = "alpn-selected";

    /// <summary>
    /// The cipher suite a TLS or DTLS server chose, by its IANA name, when it is weak (<see cref="TlsCipherSuites"/>), last:
    /// <c>cipher=TLS_RSA_WITH_RC4_128_SHA</c>. A strong one is not written.
    /// </summary>
    public const string Cipher = "cipher";

    /// <summary>
    /// The flaws of the leaf certificate a TLS server presented (<see cref="TlsCertificateFlaws"/>), last:
    /// <c>cert=rsa1024,sha1</c>. A certificate without them is not written.
    /// </summary>
    public const string Certificate = "cert";
}
