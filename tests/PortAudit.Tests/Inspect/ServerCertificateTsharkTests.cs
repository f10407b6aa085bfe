using System.Text.RegularExpressions;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// tshark and openssl as the oracle for a TLS server's certificate: on base.pcap, the leaf of every Certificate message
/// tshark reads, TLS's and DTLS's (gathered from its fragments), is given to <c>openssl x509</c>, whose key length, signature algorithm and names say which flaws
/// inspection must find (an RSA key under 2048 bits; MD5 or SHA-1 signed by another); the flows marked
/// <see cref="FlowWeakness.TlsWeakCertificate"/> are those, with the same words, after STARTTLS too (IMAP, POP3, SMTP);
/// and the judgement of a certificate by the names a log gives (Zeek's x509.log) is the oracle's on every leaf.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed partial class ServerCertificateTsharkTests(ITestOutputHelper output)
{
    [NeedsProgramFact("tshark", shared: "bench/base.pcap", also: "openssl")]
    public void The_bench_captures_weak_leaf_certificates_as_openssl_reads_them_are_the_weak_flows()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        var leaves = TsharkLabelAgreementTests.FirstValues(path, "tls.handshake.type == 11", ["tls.handshake.certificate"]);
        // DTLS's (after STUN on one 5-tuple and inside CAPWAP too), whole once tshark has gathered the fragments, the
        // server's (a client's comes with its key exchange, and after STUN the client's flight was captured first).
        foreach (var (conversation, values) in TsharkLabelAgreementTests.FirstValues(path, "dtls.handshake.certificate && !(dtls.handshake.type == 16)",
                     ["dtls.handshake.certificate"]))
            leaves.Add(conversation, values);
        var expected = new Dictionary<string, string>();
        int described = 0;
        foreach (var (conversation, values) in leaves)
        {
            string leaf = values[0].Split(',')[0].Replace(":", "", StringComparison.Ordinal);
            if (leaf.Length == 0) continue;
            var reading = Openssl(Convert.FromHexString(leaf));
            // The judgement of a certificate a log describes (Zeek's x509.log writes OpenSSL's names for the signature
            // algorithm, as openssl x509 prints them) agrees with the oracle's on every leaf.
            Assert.Equal(Flaws(reading), TlsCertificateFlaws.Of(reading.RsaBits, reading.Signature, reading.SelfIssued));
            described++;
            if (Flaws(reading) is { } flaws) expected[conversation] = flaws;
        }
        // The connection tshark names by its 6in4 carrier's IPv4 ends, the flow by the IPv6 ones inside.
        expected[SixInFour.Inner] = expected[SixInFour.Outer];
        expected.Remove(SixInFour.Outer);
        // A ServerHello and certificate tshark takes for retransmissions (TlsServerHelloTsharkTests' BaseUndissected): read
        // with -o tcp.reassemble_out_of_order:TRUE, openssl gives its leaf, Google Internet Authority G2's, sha1WithRSAEncryption.
        expected["tcp 172.31.3.224 42835 216.58.212.100 443"] = "sha1";
        var flows = InspectTestData.Inspect(path).Flows;
        var ours = flows.Where(f => (f.Weakness & FlowWeakness.TlsWeakCertificate) != 0)
            .ToDictionary(TsharkLabelAgreementTests.Key, f => f.AppDetail!.Find(DetailKeys.Certificate)!);
        output.WriteLine($"{leaves.Count} leaves tshark reads; weak as openssl reads them {expected.Count}, ours {ours.Count}; " +
                         $"openssl only: {string.Join(" | ", expected.Keys.Except(ours.Keys))}; ours only: {string.Join(" | ", ours.Keys.Except(expected.Keys))}");
        // 257 TLS leaves and DTLS's six: DTLS 1.0 on 53045 and CAPWAP's controller's signed with SHA-1 by their issuers, and
        // after STUN on 540 RSA 1024.
        Assert.Equal(263, described);
        Assert.Equal((36, 8, 35), (expected.Count, expected.Values.Count(v => v.StartsWith("rsa1024", StringComparison.Ordinal)),
            expected.Values.Count(v => v.EndsWith("sha1", StringComparison.Ordinal))));
        // An OpenVPN server's leaf across three control packets (tls-auth with SHA-1's HMAC): tshark gathers no TLS across
        // them there ("Ignored Unknown Record"); openssl x509 reads the leaf gathered from their payloads, Registro.it's
        // "server", RSA 1024 signed with sha1WithRSAEncryption by Registro.it CA.
        expected["tcp 192.12.192.103 1194 192.168.1.84 52973"] = "rsa1024,sha1";
        Assert.Equal(expected.OrderBy(e => e.Key), ours.OrderBy(e => e.Key));
    }

    private static readonly (string Outer, string Inner) SixInFour =
        ("tcp 174.3.73.24 53234 184.105.255.26 443", "tcp 2001:470:1f17:13f:3e97:eff:fe73:4dec 53234 2a03:2880:1010:6f03:face:b00c:0:2 443");

    // What openssl x509 reads of a DER certificate: its RSA key's bits (0 for another key), its signature algorithm's
    // name and whether its issuer is its subject.
    private static (int RsaBits, string Signature, bool SelfIssued) Openssl(byte[] der)
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, der);
            string text = External.Run("openssl", "x509", "-inform", "DER", "-in", file, "-noout", "-text", "-nameopt", "RFC2253");
            var key = RsaKey().Match(text);
            return (key.Success ? int.Parse(key.Groups[1].Value) : 0, SignatureAlgorithm().Match(text).Groups[1].Value,
                Name("Issuer").Match(text).Groups[1].Value == Name("Subject").Match(text).Groups[1].Value);
        }
        finally
        {
            File.Delete(file);
        }
    }

    // The words inspection must write for a certificate as openssl reads it; null for none.
    private static string? Flaws((int RsaBits, string Signature, bool SelfIssued) reading)
    {
        var words = new List<string>();
        if (reading.RsaBits is > 0 and < 2048) words.Add("rsa" + reading.RsaBits);
        string signature = reading.Signature;
        if (!reading.SelfIssued && signature.StartsWith("md5", StringComparison.OrdinalIgnoreCase)) words.Add("md5");
        if (!reading.SelfIssued && (signature.StartsWith("sha1", StringComparison.OrdinalIgnoreCase) || signature is "ecdsa-with-SHA1" or "dsaWithSHA1"))
            words.Add("sha1");
        return words.Count == 0 ? null : string.Join(',', words);
    }

    [GeneratedRegex(@"Public Key Algorithm: rsaEncryption\s+(?:RSA )?Public-Key: \((\d+) bit\)")]
    private static partial Regex RsaKey();

    [GeneratedRegex(@"Signature Algorithm: (\S+)")]
    private static partial Regex SignatureAlgorithm();

    private static Regex Name(string which) => new($@"\n\s+{which}: (.*)\n");
}
