using System.Diagnostics;

namespace PortAudit.Flows.Facts;

/// <summary>What makes a TLS cipher suite weak, read from its IANA name.</summary>
[Flags]
public enum TlsCipherFlaws
{
    /// <summary>None of the flaws below.</summary>
    None = 0,

    /// <summary>No encryption at all (<c>_WITH_NULL_</c>, TLS 1.3's integrity-only suites of RFC 9150).</summary>
    NoEncryption = 1,

    /// <summary>Export-grade: keys of 40 or 56 bits, made to be broken (<c>_EXPORT</c>, the FREAK and Logjam downgrades).</summary>
    Export = 2,

    /// <summary>RC4, whose biased key stream gives plaintext away (prohibited by RFC 7465).</summary>
    Rc4 = 4,

    /// <summary>Single DES or RC2: under 112 bits of security.</summary>
    ShortKey = 8,

    /// <summary>3DES or IDEA: 64-bit blocks, whose collisions on a long connection give plaintext away (Sweet32).</summary>
    SmallBlock = 16,

    /// <summary>Anonymous key exchange (<c>_anon_</c>): the server is not authenticated, anyone in the path can stand in for it.</summary>
    Anonymous = 32,
}

/// <summary>
/// The TLS cipher suites a server should not choose: no encryption, export-grade, RC4, DES and RC2, 3DES and IDEA, and
/// anonymous key exchange. Judged by name (<see cref="Flaws"/>), the IANA name Zeek's ssl.log and tshark give; a ServerHello's
/// number is named by <see cref="WeakName"/>, the weak ones of tshark's table (a test holds the two to it).
/// </summary>
public static class TlsCipherSuites
{
    /// <summary>What is weak in the suite named <paramref name="name"/> (an IANA name such as TLS_RSA_WITH_RC4_128_SHA).</summary>
    public static TlsCipherFlaws Flaws(ReadOnlySpan<char> name)
    {
        var flaws = TlsCipherFlaws.None;
        if (name.Contains("_WITH_NULL_", StringComparison.Ordinal) || name.SequenceEqual("TLS_NULL_WITH_NULL_NULL")
            || name.SequenceEqual("TLS_SHA256_SHA256") || name.SequenceEqual("TLS_SHA384_SHA384")) flaws |= TlsCipherFlaws.NoEncryption;
        if (name.Contains("_EXPORT", StringComparison.Ordinal)) flaws |= TlsCipherFlaws.Export;
        if (name.Contains("_RC4_", StringComparison.Ordinal)) flaws |= TlsCipherFlaws.Rc4;
        if (name.Contains("_DES_CBC_", StringComparison.Ordinal) || name.Contains("_DES40_", StringComparison.Ordinal)
            || name.Contains("_RC2_", StringComparison.Ordinal)) flaws |= TlsCipherFlaws.ShortKey;
        if (name.Contains("_3DES_", StringComparison.Ordinal) || name.Contains("_IDEA_", StringComparison.Ordinal)) flaws |= TlsCipherFlaws.SmallBlock;
        if (name.Contains("_anon_", StringComparison.Ordinal)) flaws |= TlsCipherFlaws.Anonymous;
        return flaws;
    }

    /// <summary>The flaws in words, the first the worst: "RC4 (prohibited by RFC 7465); anonymous key exchange (...)".</summary>
    public static string Describe(TlsCipherFlaws flaws)
    {
        Debug.Assert(flaws != TlsCipherFlaws.None);
        return string.Join("; ", Words.Where(w => (flaws & w.Flaw) != 0).Select(w => w.Text));
    }

    private static readonly (TlsCipherFlaws Flaw, string Text)[] Words =
    [
        (TlsCipherFlaws.NoEncryption, "no encryption (RFC 9325: MUST NOT be negotiated)"),
        (TlsCipherFlaws.Export, "export-grade keys of 40 or 56 bits (RFC 9325: MUST NOT be negotiated)"),
        (TlsCipherFlaws.Rc4, "RC4 (prohibited by RFC 7465)"),
        (TlsCipherFlaws.ShortKey, "DES or RC2, under 112 bits of security (RFC 9325: MUST NOT be negotiated)"),
        (TlsCipherFlaws.SmallBlock, "a 64-bit block cipher, 3DES or IDEA, open to Sweet32 on a long connection (RFC 9325: SHOULD NOT be negotiated)"),
        (TlsCipherFlaws.Anonymous, "anonymous key exchange: the server is not authenticated (RFC 5246 A.5)"),
    ];

    /// <summary>
    /// The IANA name of cipher suite <paramref name="suite"/> when it is weak (<see cref="Flaws"/> of it is not
    /// <see cref="TlsCipherFlaws.None"/>), null for any other: the weak entries of tshark's table, whose names are
    /// IANA's and, for suites IANA never listed (0x0060-0x0066, 0xFEFE-0xFFE1), Wireshark's.
    /// </summary>
    public static string? WeakName(ushort suite) => suite switch
    {
        0x0000 => "TLS_NULL_WITH_NULL_NULL",
        0x0001 => "TLS_RSA_WITH_NULL_MD5",
        0x0002 => "TLS_RSA_WITH_NULL_SHA",
        0x0003 => "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
        0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x0006 => "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
        0x0007 => "TLS_RSA_WITH_IDEA_CBC_SHA",
        0x0008 => "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x0009 => "TLS_RSA_WITH_DES_CBC_SHA",
        0x000A => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x000B => "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA",
        0x000C => "TLS_DH_DSS_WITH_DES_CBC_SHA",
        0x000D => "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA",
        0x000E => "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x000F => "TLS_DH_RSA_WITH_DES_CBC_SHA",
        0x0010 => "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0011 => "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
        0x0012 => "TLS_DHE_DSS_WITH_DES_CBC_SHA",
        0x0013 => "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
        0x0014 => "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x0015 => "TLS_DHE_RSA_WITH_DES_CBC_SHA",
        0x0016 => "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0017 => "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
        0x0018 => "TLS_DH_anon_WITH_RC4_128_MD5",
        0x0019 => "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA",
        0x001A => "TLS_DH_anon_WITH_DES_CBC_SHA",
        0x001B => "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
        0x001C => "SSL_FORTEZZA_KEA_WITH_NULL_SHA",
        0x001E => "TLS_KRB5_WITH_DES_CBC_SHA",
        0x001F => "TLS_KRB5_WITH_3DES_EDE_CBC_SHA",
        0x0020 => "TLS_KRB5_WITH_RC4_128_SHA",
        0x0021 => "TLS_KRB5_WITH_IDEA_CBC_SHA",
        0x0022 => "TLS_KRB5_WITH_DES_CBC_MD5",
        0x0023 => "TLS_KRB5_WITH_3DES_EDE_CBC_MD5",
        0x0024 => "TLS_KRB5_WITH_RC4_128_MD5",
        0x0025 => "TLS_KRB5_WITH_IDEA_CBC_MD5",
        0x0026 => "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA",
        0x0027 => "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA",
        0x0028 => "TLS_KRB5_EXPORT_WITH_RC4_40_SHA",
        0x0029 => "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5",
        0x002A => "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5",
        0x002B => "TLS_KRB5_EXPORT_WITH_RC4_40_MD5",
        0x002C => "TLS_PSK_WITH_NULL_SHA",
        0x002D => "TLS_DHE_PSK_WITH_NULL_SHA",
        0x002E => "TLS_RSA_PSK_WITH_NULL_SHA",
        0x0034 => "TLS_DH_anon_WITH_AES_128_CBC_SHA",
        0x003A => "TLS_DH_anon_WITH_AES_256_CBC_SHA",
        0x003B => "TLS_RSA_WITH_NULL_SHA256",
        0x0046 => "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA",
        0x0060 => "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5",
        0x0061 => "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5",
        0x0062 => "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA",
        0x0063 => "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA",
        0x0064 => "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA",
        0x0065 => "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA",
        0x0066 => "TLS_DHE_DSS_WITH_RC4_128_SHA",
        0x006C => "TLS_DH_anon_WITH_AES_128_CBC_SHA256",
        0x006D => "TLS_DH_anon_WITH_AES_256_CBC_SHA256",
        0x0082 => "TLS_GOSTR341094_WITH_NULL_GOSTR3411",
        0x0083 => "TLS_GOSTR341001_WITH_NULL_GOSTR3411",
        0x0089 => "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA",
        0x008A => "TLS_PSK_WITH_RC4_128_SHA",
        0x008B => "TLS_PSK_WITH_3DES_EDE_CBC_SHA",
        0x008E => "TLS_DHE_PSK_WITH_RC4_128_SHA",
        0x008F => "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA",
        0x0092 => "TLS_RSA_PSK_WITH_RC4_128_SHA",
        0x0093 => "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA",
        0x009B => "TLS_DH_anon_WITH_SEED_CBC_SHA",
        0x00A6 => "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        0x00A7 => "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
        0x00B0 => "TLS_PSK_WITH_NULL_SHA256",
        0x00B1 => "TLS_PSK_WITH_NULL_SHA384",
        0x00B4 => "TLS_DHE_PSK_WITH_NULL_SHA256",
        0x00B5 => "TLS_DHE_PSK_WITH_NULL_SHA384",
        0x00B8 => "TLS_RSA_PSK_WITH_NULL_SHA256",
        0x00B9 => "TLS_RSA_PSK_WITH_NULL_SHA384",
        0x00BF => "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256",
        0x00C5 => "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256",
        0xC001 => "TLS_ECDH_ECDSA_WITH_NULL_SHA",
        0xC002 => "TLS_ECDH_ECDSA_WITH_RC4_128_SHA",
        0xC003 => "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xC006 => "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
        0xC007 => "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        0xC008 => "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xC00B => "TLS_ECDH_RSA_WITH_NULL_SHA",
        0xC00C => "TLS_ECDH_RSA_WITH_RC4_128_SHA",
        0xC00D => "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
        0xC010 => "TLS_ECDHE_RSA_WITH_NULL_SHA",
        0xC011 => "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        0xC012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0xC015 => "TLS_ECDH_anon_WITH_NULL_SHA",
        0xC016 => "TLS_ECDH_anon_WITH_RC4_128_SHA",
        0xC017 => "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
        0xC018 => "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
        0xC019 => "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
        0xC01A => "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA",
        0xC01B => "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA",
        0xC01C => "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA",
        0xC033 => "TLS_ECDHE_PSK_WITH_RC4_128_SHA",
        0xC034 => "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA",
        0xC039 => "TLS_ECDHE_PSK_WITH_NULL_SHA",
        0xC03A => "TLS_ECDHE_PSK_WITH_NULL_SHA256",
        0xC03B => "TLS_ECDHE_PSK_WITH_NULL_SHA384",
        0xC046 => "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256",
        0xC047 => "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384",
        0xC05A => "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256",
        0xC05B => "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384",
        0xC084 => "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256",
        0xC085 => "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384",
        0xC0B4 => "TLS_SHA256_SHA256",
        0xC0B5 => "TLS_SHA384_SHA384",
        0xFEFE => "SSL_RSA_FIPS_WITH_DES_CBC_SHA",
        0xFEFF => "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA",
        0xFFE0 => "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA",
        0xFFE1 => "SSL_RSA_FIPS_WITH_DES_CBC_SHA",
        _ => null,
    };
}
