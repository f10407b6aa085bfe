using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// The flaws of a server's leaf certificate, on certificates the platform makes: an RSA key under 2048 bits; MD5 or SHA-1
/// signed by another (a self-signed one's own signature is not judged); nothing for a sound one or bytes that are no certificate.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ServerCertificateTests
{
    private static readonly DateTimeOffset From = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), To = new(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_short_rsa_key_is_named_by_its_length_and_a_sound_one_is_not()
    {
        using var shortKey = RSA.Create(1024);
        using var sound = RSA.Create(2048);
        Assert.Equal("rsa1024", ServerCertificate.Flaws(SelfSigned(shortKey, HashAlgorithmName.SHA256)));
        Assert.Null(ServerCertificate.Flaws(SelfSigned(sound, HashAlgorithmName.SHA256)));
    }

    [Fact]
    public void A_sha1_signature_by_an_issuer_is_weak_and_a_self_signed_ones_is_not()
    {
        using var caKey = RSA.Create(2048);
        using var ca = new CertificateRequest("CN=Lab CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(From, To);
        using var leafKey = RSA.Create(2048);
        using var shortLeafKey = RSA.Create(1024);
        var sha1 = new LegacyRsaSignature(caKey, "1.2.840.113549.1.1.5", HashAlgorithmName.SHA1);
        var md5 = new LegacyRsaSignature(caKey, "1.2.840.113549.1.1.4", HashAlgorithmName.MD5);

        Assert.Equal("sha1", ServerCertificate.Flaws(Issued(leafKey, ca, sha1)));
        Assert.Equal("rsa1024,sha1", ServerCertificate.Flaws(Issued(shortLeafKey, ca, sha1)));
        Assert.Equal("md5", ServerCertificate.Flaws(Issued(leafKey, ca, md5)));
        Assert.Null(ServerCertificate.Flaws(Issued(leafKey, ca, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1))));
        // Signed by itself with SHA-1: its name is its issuer's.
        using var selfKey = RSA.Create(2048);
        var selfSha1 = new LegacyRsaSignature(selfKey, "1.2.840.113549.1.1.5", HashAlgorithmName.SHA1);
        using var self = new CertificateRequest("CN=fe01", selfKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .Create(new X500DistinguishedName("CN=fe01"), selfSha1, From, To, [9]);
        Assert.Null(ServerCertificate.Flaws(self.RawData));
    }

    private static byte[] Issued(RSA key, X509Certificate2 ca, X509SignatureGenerator signer)
    {
        using var certificate = new CertificateRequest("CN=fe01", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .Create(ca.SubjectName, signer, From, To, [1, 2, 3]);
        return certificate.RawData;
    }

    // The platform signs no certificate with SHA-1 or MD5 any more: a signer that still does, as old CAs did.
    private sealed class LegacyRsaSignature(RSA key, string oid, HashAlgorithmName hash) : X509SignatureGenerator
    {
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(oid);
                writer.WriteNull();
            }
            return writer.Encode();
        }

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => key.SignData(data, hash, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => CreateForRSA(key, RSASignaturePadding.Pkcs1).PublicKey;
    }

    [Fact]
    public void An_ecdsa_key_signed_with_sha256_is_sound()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=fe01", key, HashAlgorithmName.SHA256).CreateSelfSigned(From, To);
        Assert.Null(ServerCertificate.Flaws(certificate.RawData));
    }

    [Fact]
    public void Bytes_that_are_no_certificate_or_one_cut_short_say_nothing()
    {
        using var key = RSA.Create(1024);
        var der = SelfSigned(key, HashAlgorithmName.SHA256);
        Assert.Null(ServerCertificate.Flaws(der[..(der.Length / 2)]));
        Assert.Null(ServerCertificate.Flaws([0x30, 0x82, 0xFF, 0xFF, 0x01]));
        Assert.Null(ServerCertificate.Flaws([]));
        Assert.Null(ServerCertificate.Flaws("GET / HTTP/1.1\r\n"u8));
    }

    private static byte[] SelfSigned(RSA key, HashAlgorithmName hash)
    {
        using var certificate = new CertificateRequest("CN=fe01", key, hash, RSASignaturePadding.Pkcs1).CreateSelfSigned(From, To);
        return certificate.RawData;
    }
}
