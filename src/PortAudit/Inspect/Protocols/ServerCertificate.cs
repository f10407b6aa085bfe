using System.Formats.Asn1;
using System.Runtime.CompilerServices;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The leaf certificate a TLS or DTLS server presented (the first of its Certificate message's list, RFC 5246 7.4.2): an RSA key
/// under 2048 bits, and a signature with MD5 or SHA-1 by an issuer other than itself (a self-signed certificate's own
/// signature proves nothing either way: it is trusted, or not, as a key). Its validity is not judged: the capture's clock
/// is no evidence of the server's (base.pcap's packets, their times rewritten, come before six of its certificates were
/// issued). Read once a flow, by the platform's reader (<see cref="AsnDecoder"/>): a certificate comes after a
/// ServerHello, not in the guesses over every flow's first bytes that <see cref="Ber"/> is kept for.
/// </summary>
public static class ServerCertificate
{
    private const AsnEncodingRules Rules = AsnEncodingRules.BER;
    private const int HandshakeHeader = 4, EntryLengths = 6;
    private const byte Certificate = 11;

    /// <summary>
    /// Reads the server's side of a TLS connection from its first record (<paramref name="serverTls"/>, its ServerHello
    /// read) to the message after the hello: a Certificate whose first entry is all here gives <paramref name="flow"/> its
    /// flaws (<c>cert=sha1</c>, the <see cref="FlowWeakness.TlsWeakCertificate"/> weakness). <see cref="TlsHandshakeMessage.State.NeedMore"/>
    /// while more bytes may bring it; <see cref="TlsHandshakeMessage.State.Complete"/> once judged, or when another message
    /// or record comes first (a resumed session's ChangeCipherSpec) or the entry passes the bound. A Certificate message
    /// begun whose first entry is not all there on the <paramref name="last"/> look (the bytes inspected spent, the flow
    /// ended) or past the bound gives <c>cert=unread</c>: the leaf went unjudged, and the detail says so rather than
    /// leaving a reader to take silence for a sound certificate.
    /// </summary>
    // The buffer is written before it is read (only its gathered prefix is).
    [SkipLocalsInit]
    public static TlsHandshakeMessage.State Judge(Flow flow, ReadOnlySpan<byte> serverTls, bool last)
    {
        // The handshake records' fragments, gathered: the hello and the certificate often share one, and a certificate spans several.
        Span<byte> handshake = stackalloc byte[Math.Min(serverTls.Length, TlsHandshakeMessage.MaxLength)];
        int gathered = TlsHandshakeMessage.Gather(serverTls, handshake, out bool ended);
        var messages = handshake[..gathered];
        // Past the bytes gathered, or past the bound, a part still to come or never to be read.
        var waiting = ended || gathered == handshake.Length ? TlsHandshakeMessage.State.Complete : TlsHandshakeMessage.State.NeedMore;
        if (messages.Length < HandshakeHeader) return waiting;
        // The message after the ServerHello (at most 4 + 2^24 bytes on: no overflow).
        int next = HandshakeHeader + TlsHandshakeMessage.Read24(messages[1..]);
        if (messages.Length - next < HandshakeHeader) return waiting;
        if (messages[next] != Certificate) return TlsHandshakeMessage.State.Complete;
        return JudgeLeaf(flow, messages[(next + HandshakeHeader)..], TlsHandshakeMessage.Read24(messages[(next + 1)..]),
            last || waiting == TlsHandshakeMessage.State.Complete);
    }

    /// <summary>
    /// Judges the leaf at the start of a Certificate message's body, of which <paramref name="body"/> holds the first bytes
    /// (the message declared <paramref name="declaredLength"/>): in TLS the records after the ServerHello, in DTLS the
    /// fragments gathered (RFC 6347 4.2.3; the body is TLS 1.2's). <see cref="TlsHandshakeMessage.State.NeedMore"/> while
    /// the first entry goes on past <paramref name="body"/>, unless this is the <paramref name="last"/> look (no more bytes
    /// will come), which makes it <c>cert=unread</c>.
    /// </summary>
    public static TlsHandshakeMessage.State JudgeLeaf(Flow flow, ReadOnlySpan<byte> body, int declaredLength, bool last)
    {
        // An empty list (a server with no certificate to give, RFC 5246 7.4.2) has no entry to wait for.
        if (body.Length < EntryLengths && declaredLength < EntryLengths) return TlsHandshakeMessage.State.Complete;
        // certificate_list's length, the first entry's length, its DER bytes.
        int entry = body.Length < EntryLengths ? int.MaxValue : TlsHandshakeMessage.Read24(body[3..]);
        if (body.Length - EntryLengths < entry)
        {
            if (!last) return TlsHandshakeMessage.State.NeedMore;
            SayUnread(flow);
            return TlsHandshakeMessage.State.Complete;
        }
        if (Flaws(body.Slice(EntryLengths, entry)) is { } flaws)
        {
            flow.AppDetail = AppDetail.With(flow.AppDetail, new DetailPart(DetailKeys.Certificate, flaws));
            flow.Weakness |= FlowWeakness.TlsWeakCertificate;
        }
        // A sound leaf read on past the bytes inspected (ServerCertificateFollower) takes back the word said of it there.
        // (Without gives the same detail back when it has no such word: the common case costs a scan, no copy.)
        else flow.AppDetail = flow.AppDetail?.Without(DetailKeys.Certificate);
        return TlsHandshakeMessage.State.Complete;
    }

    /// <summary>Says in <paramref name="flow"/>'s detail that its server's leaf began but went unjudged (<c>cert=unread</c>).</summary>
    public static void SayUnread(Flow flow) => flow.AppDetail = AppDetail.With(flow.AppDetail, UnreadPart);

    private static readonly DetailPart UnreadPart = new(DetailKeys.Certificate, TlsCertificateFlaws.Unread);

    private const string RsaEncryption = "1.2.840.113549.1.1.1";

    /// <summary>
    /// The flaws of DER certificate <paramref name="der"/> in <see cref="TlsCertificateFlaws"/>' words joined by commas
    /// ("rsa1024,sha1"); null when it has none, or cannot be read.
    /// </summary>
    public static string? Flaws(ReadOnlySpan<byte> der)
    {
        try
        {
            return Read(der);
        }
        catch (AsnContentException)
        {
            // A certificate damaged or cut: nothing is claimed of it.
            return null;
        }
    }

    private static string? Read(ReadOnlySpan<byte> der)
    {
        var certificate = Sequence(der, out _);
        var tbs = Sequence(certificate, out int consumed);
        string signature = Algorithm(certificate[consumed..], out _);
        // TBSCertificate: [0] version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
        if (tbs.Length > 0 && tbs[0] == 0xA0) Skip(ref tbs);
        Skip(ref tbs);
        Skip(ref tbs);
        var issuer = Take(ref tbs);
        Skip(ref tbs);
        var subject = Take(ref tbs);
        var publicKey = Sequence(tbs, out _);
        return TlsCertificateFlaws.Of(RsaBits(publicKey), signature, selfIssued: issuer.SequenceEqual(subject));
    }

    // An RSA key's modulus length in bits (RFC 8017 A.1.1, inside the subjectPublicKey bit string); 0 for another key.
    private static int RsaBits(ReadOnlySpan<byte> publicKeyInfo)
    {
        if (Algorithm(publicKeyInfo, out int consumed) != RsaEncryption) return 0;
        if (!AsnDecoder.TryReadPrimitiveBitString(publicKeyInfo[consumed..], Rules, out _, out var key, out _)) return 0;
        var modulus = AsnDecoder.ReadIntegerBytes(Sequence(key, out _), Rules, out _);
        while (modulus.Length > 1 && modulus[0] == 0) modulus = modulus[1..];
        return modulus.IsEmpty ? 0 : (modulus.Length - 1) * 8 + (32 - int.LeadingZeroCount(modulus[0]));
    }

    // An AlgorithmIdentifier's OID.
    private static string Algorithm(ReadOnlySpan<byte> data, out int consumed) =>
        AsnDecoder.ReadObjectIdentifier(Sequence(data, out consumed), Rules, out _);

    private static ReadOnlySpan<byte> Sequence(ReadOnlySpan<byte> data, out int consumed)
    {
        AsnDecoder.ReadSequence(data, Rules, out int offset, out int length, out consumed);
        return data.Slice(offset, length);
    }

    private static void Skip(ref ReadOnlySpan<byte> data) => Take(ref data);

    // The next value whole, tag and length included; data goes on after it.
    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> data)
    {
        AsnDecoder.ReadEncodedValue(data, Rules, out _, out _, out int consumed);
        var value = data[..consumed];
        data = data[consumed..];
        return value;
    }
}
