namespace PortAudit.Flows.Facts;

/// <summary>
/// TLS and DTLS versions by their wire numbers: the names a flow's detail gives them (<c>version=tls1.2</c>), as
/// inspection reads them from a hello and as a flow record's source (Zeek's ssl.log) gives them, and which are deprecated.
/// </summary>
public static class TlsVersions
{
    /// <summary>The usual name of a protocol version: tls1.2, dtls1.2, ssl3...; its number in hex for one unknown.</summary>
    public static string Name(ushort version) => version switch
    {
        0x0002 => "ssl2",
        0x0300 => "ssl3",
        0x0301 => "tls1.0",
        0x0302 => "tls1.1",
        0x0303 => "tls1.2",
        0x0304 => "tls1.3",
        0xFEFF => "dtls1.0",
        0xFEFD => "dtls1.2",
        0xFEFC => "dtls1.3",
        // DTLS 1.0 before RFC 4347's number (OpenSSL's DTLS1_BAD_VER), as tshark names it.
        0x0100 => "dtls1.0-openssl-pre-0.9.8f",
        _ => $"0x{version:x4}",
    };

    /// <summary>
    /// True for a version no peer may negotiate any more: SSL 2.0 (RFC 6176) and 3.0 (RFC 7568), TLS 1.0 and 1.1, DTLS
    /// 1.0 (RFC 8996), and DTLS 1.0 as OpenSSL numbered it before 0.9.8f.
    /// </summary>
    public static bool IsDeprecated(ushort version) => version is 0x0002 or 0x0300 or 0x0301 or 0x0302 or 0xFEFF or 0x0100;
}
