using System.Buffers.Binary;
using System.Formats.Asn1;

namespace PortAudit.Audit.Drafting;

/// <summary>What reading a TLS server's first flight gave.</summary>
public enum ServerFlightResult
{
    /// <summary>The flight ends before its Certificate message does: read more of it.</summary>
    NeedMore,

    /// <summary>The server's certificate was read (its names added).</summary>
    Certificate,

    /// <summary>The flight shows no certificate: TLS 1.3 (encrypted after the ServerHello), a resumed session, or no TLS.</summary>
    None,
}

/// <summary>
/// Reads the names of a TLS server's certificate from its first flight, where TLS 1.2 and earlier send it in clear
/// (RFC 5246 7.4.2): the subject's common name and the subject alternative name's DNS names (RFC 5280 4.2.1.6) of
/// the first certificate of the chain. Wildcards name no host and are left out. Only the drafting run reads it.
/// </summary>
public static class TlsCertificateNameReader
{
    private const byte HandshakeRecord = 22, CertificateMessage = 11, ServerHelloDone = 14;
    private const int RecordHeader = 5, HandshakeHeader = 4, MaxNames = 8;
    private const string CommonName = "2.5.4.3", SubjectAltName = "2.5.29.17";
    private static readonly Asn1Tag DnsName = new(TagClass.ContextSpecific, 2), Extensions = new(TagClass.ContextSpecific, 3, isConstructed: true);

    /// <summary>
    /// Reads the server's flight from its first byte (<paramref name="flight"/>) into <paramref name="handshake"/> (the
    /// handshake messages, records taken off) and adds the certificate's names to <paramref name="into"/>.
    /// </summary>
    public static ServerFlightResult Read(ReadOnlySpan<byte> flight, List<byte> handshake, List<string> into)
    {
        handshake.Clear();
        for (int at = 0; at + RecordHeader <= flight.Length;)
        {
            if (flight[at] != HandshakeRecord) return ServerFlightResult.None;
            int length = BinaryPrimitives.ReadUInt16BigEndian(flight[(at + 3)..]);
            if (at + RecordHeader + length > flight.Length) break;
            handshake.AddRange(flight.Slice(at + RecordHeader, length));
            at += RecordHeader + length;
        }
        var messages = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(handshake);
        while (messages.Length >= HandshakeHeader)
        {
            int length = messages[1] << 16 | messages[2] << 8 | messages[3];
            if (HandshakeHeader + length > messages.Length) return ServerFlightResult.NeedMore;
            var body = messages.Slice(HandshakeHeader, length);
            if (messages[0] == CertificateMessage) return ReadFirstCertificate(body, into) ? ServerFlightResult.Certificate : ServerFlightResult.None;
            if (messages[0] == ServerHelloDone) return ServerFlightResult.None;
            messages = messages[(HandshakeHeader + length)..];
        }
        return ServerFlightResult.NeedMore;
    }

    // certificate_list: a 3-byte length, then certificates each with a 3-byte length; the server's own comes first.
    private static bool ReadFirstCertificate(ReadOnlySpan<byte> body, List<string> into)
    {
        if (body.Length < 6) return false;
        int length = body[3] << 16 | body[4] << 8 | body[5];
        if (6 + length > body.Length) return false;
        try
        {
            Names(body.Slice(6, length), into);
        }
        catch (AsnContentException)
        {
            // A malformed certificate names what was read before the fault.
        }
        return true;
    }

    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version, serial, signature, issuer, validity, subject,
    // subjectPublicKeyInfo, [1], [2], [3] extensions }, ... }
    private static void Names(ReadOnlySpan<byte> der, List<string> into)
    {
        var certificate = Content(der, out _);
        var tbs = Content(certificate, out _);
        if (Asn1Tag.Decode(tbs, out _) == new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)) tbs = Skip(tbs);
        for (int field = 0; field < 4; field++) tbs = Skip(tbs); // serial, signature, issuer, validity
        var subject = Content(tbs, out int subjectSize);
        tbs = tbs[subjectSize..];
        while (!subject.IsEmpty)
        {
            var rdn = Content(subject, out int rdnSize);
            subject = subject[rdnSize..];
            var attribute = Content(rdn, out _);
            var type = AsnDecoder.ReadObjectIdentifier(attribute, AsnEncodingRules.BER, out int typeSize);
            if (type == CommonName && Asn1Tag.Decode(attribute[typeSize..], out _) is { TagClass: TagClass.Universal } tag)
                AddHost(AsnDecoder.ReadCharacterString(attribute[typeSize..], AsnEncodingRules.BER, (UniversalTagNumber)tag.TagValue, out _), into);
        }
        tbs = Skip(tbs); // subjectPublicKeyInfo
        while (!tbs.IsEmpty && Asn1Tag.Decode(tbs, out _) != Extensions) tbs = Skip(tbs);
        if (tbs.IsEmpty) return;
        var extensions = Content(Content(tbs, out _), out _);
        while (!extensions.IsEmpty)
        {
            var extension = Content(extensions, out int extensionSize);
            extensions = extensions[extensionSize..];
            var id = AsnDecoder.ReadObjectIdentifier(extension, AsnEncodingRules.BER, out int idSize);
            if (id != SubjectAltName) continue;
            var rest = extension[idSize..];
            if (Asn1Tag.Decode(rest, out _) == Asn1Tag.Boolean) rest = Skip(rest);
            var value = AsnDecoder.ReadOctetString(rest, AsnEncodingRules.BER, out _);
            var generalNames = Content(value, out _);
            while (!generalNames.IsEmpty && into.Count < MaxNames)
            {
                if (Asn1Tag.Decode(generalNames, out _) == DnsName)
                    AddHost(AsnDecoder.ReadCharacterString(generalNames, AsnEncodingRules.BER, UniversalTagNumber.IA5String, out _, DnsName), into);
                generalNames = Skip(generalNames);
            }
        }
    }

    private static void AddHost(string name, List<string> into)
    {
        name = name.ToLowerInvariant();
        if (into.Count < MaxNames && name.Contains('.') && !name.StartsWith('*') && !name.Contains(' ') && !into.Contains(name)) into.Add(name);
    }

    // The contents of the constructed value at the start of 'data'; 'size' is the whole encoded value's.
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> data, out int size)
    {
        AsnDecoder.ReadEncodedValue(data, AsnEncodingRules.BER, out int offset, out int length, out size);
        return data.Slice(offset, length);
    }

    private static ReadOnlySpan<byte> Skip(ReadOnlySpan<byte> data)
    {
        AsnDecoder.ReadEncodedValue(data, AsnEncodingRules.BER, out _, out _, out int size);
        return data[size..];
    }
}
