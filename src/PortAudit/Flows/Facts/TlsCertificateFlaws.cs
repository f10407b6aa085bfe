using System.Globalization;

namespace PortAudit.Flows.Facts;

/// <summary>
/// What is weak in the certificate a TLS server presented (its leaf, the first of its Certificate message), as the flow's
/// detail gives it in one part, <c>cert=rsa1024,sha1</c>: a word per flaw, read back by the audit.
/// </summary>
public static class TlsCertificateFlaws
{
    /// <summary>The word of an RSA key under 2048 bits, with its length: <c>rsa1024</c>.</summary>
    public const string ShortRsaKey = "rsa";

    /// <summary>The shortest RSA modulus not flagged: NIST SP 800-131A disallowed shorter ones for signatures after 2013.</summary>
    public const int MinimumRsaBits = 2048;

    /// <summary>The words of a certificate signed with MD5 or SHA-1 by an issuer other than itself: <c>md5</c>, <c>sha1</c>.</summary>
    public const string Md5 = "md5", Sha1 = "sha1";

    /// <summary>
    /// The value (no flaw) of a leaf that began within the bytes inspected but did not end there (a long leaf, a capture
    /// cut short): it went unjudged, <c>cert=unread</c>.
    /// </summary>
    public const string Unread = "unread";

    /// <summary>
    /// The flaws of a certificate in words joined by commas ("rsa1024,sha1"), null when it has none: an RSA key of
    /// <paramref name="rsaBits"/> (0 for another key) under <see cref="MinimumRsaBits"/>, and a signature whose algorithm
    /// (<paramref name="signature"/>: its OID, or OpenSSL's long name as Zeek's x509.log writes it) digests with MD5 or
    /// SHA-1, unless the certificate is <paramref name="selfIssued"/> (its own signature proves nothing either way). One
    /// judgement for a certificate read from the wire and one a log describes.
    /// </summary>
    public static string? Of(int rsaBits, string? signature, bool selfIssued)
    {
        string? key = rsaBits is > 0 and < MinimumRsaBits ? ShortRsaKey + rsaBits.ToString(CultureInfo.InvariantCulture) : null;
        string? digest = selfIssued || signature is null ? null : WeakDigest(signature);
        return key is null ? digest : digest is null ? key : $"{key},{digest}";
    }

    // The signature algorithms whose digest is MD5 (MD2 and MD5 with RSA) or SHA-1 (with RSA, the OIW one, DSA, ECDSA),
    // by OID and by OpenSSL's long name.
    private static string? WeakDigest(string algorithm) => algorithm switch
    {
        "1.2.840.113549.1.1.2" or "md2WithRSAEncryption" or "1.2.840.113549.1.1.4" or "md5WithRSAEncryption" => Md5,
        "1.2.840.113549.1.1.5" or "sha1WithRSAEncryption" or "1.3.14.3.2.29" or "sha1WithRSA"
            or "1.2.840.10040.4.3" or "dsaWithSHA1" or "1.2.840.10045.4.1" or "ecdsa-with-SHA1" => Sha1,
        _ => null,
    };

    /// <summary>The flaws of a detail's <c>cert</c> value in words, for a finding: "an RSA key of 1024 bits (...); signed with SHA-1 (...)".</summary>
    public static string Describe(string value) =>
        string.Join("; ", value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(DescribeWord));

    private static string DescribeWord(string word) => word switch
    {
        Md5 => "signed with MD5 (collisions forge certificates: RFC 6151)",
        Sha1 => "signed with SHA-1 (collisions are practical: SHAttered, and no public CA signs with it since 2016)",
        _ when word.StartsWith(ShortRsaKey, StringComparison.Ordinal) =>
            $"an RSA key of {word[ShortRsaKey.Length..]} bits (NIST SP 800-131A: at least {MinimumRsaBits})",
        _ => word,
    };
}
