using System.Diagnostics;
using System.Net.Security;

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
/// number is named by <see cref="WeakName"/> (a test holds the two to tshark's table).
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
    /// <see cref="TlsCipherFlaws.None"/>), null for any other or one IANA never listed.
    /// </summary>
    public static string? WeakName(ushort suite) => Name(suite) is { } name && Flaws(name) != TlsCipherFlaws.None ? name : null;

    /// <summary>
    /// The IANA name of cipher suite <paramref name="suite"/>, null for one IANA never listed: the platform's
    /// <see cref="TlsCipherSuite"/> names the registry but for RFC 9150's integrity-only suites, registered after it.
    /// </summary>
    public static string? Name(ushort suite) => suite switch
    {
        0xC0B4 => "TLS_SHA256_SHA256",
        0xC0B5 => "TLS_SHA384_SHA384",
        _ => Enum.GetName((TlsCipherSuite)suite),
    };
}
