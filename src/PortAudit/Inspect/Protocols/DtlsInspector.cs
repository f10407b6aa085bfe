using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// DTLS over UDP: a record with a DTLS version at the start; hellos read as in TLS (<see cref="TlsHello"/>), plus the
/// cookie. The ServerHello gives the negotiated version and, as in TLS, the ALPN protocol the server selected
/// (<c>alpn-selected=h2</c>, RFC 7301 3.1; DTLS 1.3 encrypts it as TLS 1.3 does). Every epoch-0 handshake record of a datagram is read, and every handshake fragment in it: a ClientHello cut
/// into fragments (RFC 6347 4.2.3), across records and datagrams, is gathered (<see cref="HelloAssembly"/>, up to
/// 16 KiB) and read whole; one that cannot be (declared longer, a fragment past its end or that disagrees with bytes
/// already placed, no per-flow buffer) is DTLS with the word <c>hello-unread</c> after what its first fragment named.
/// Up to DTLS 1.2 the server's leaf certificate follows its hello in clear: the Certificate message's fragments are
/// gathered the same way (in the buffer the ClientHello is done with) and its first entry judged as in TLS
/// (<see cref="ServerCertificate"/>: <c>cert=rsa1024,sha1</c> and the <see cref="FlowWeakness.TlsWeakCertificate"/>
/// weakness, or <c>cert=unread</c> when it began but did not come whole within the datagrams inspected).
/// </summary>
public sealed class DtlsInspector() : Inspector(new(AppLabel.Dtls, Udp, [443, 4433, 5061, 3478, 5349], InspectorPrecision.Signature, 40) { UsesScratch = true, Depth = ProbeDepth.Exchange, LooksAtEnd = true })
{
    private const int RecordHeader = 13, HandshakeHeader = 12;
    private const byte Handshake = 22, ClientHello = 1, ServerHello = 2, Certificate = 11;
    // Scratch: a ClientHello claimed the flow; it was read whole; it cannot be; fragments are being gathered; the detail
    // of the first fragment was set; the ServerHello was read and its certificate is awaited; a fragment of it came. Then
    // the gathered hello's sequence number, length and bytes gathered; for the certificate, its length up to the bound.
    private const ulong Hello = 1, Read = 2, Unread = 4, Gathering = 8, Named = 16, AwaitingCertificate = 32, CertificateBegun = 64;
    private const int SeqShift = 8, LengthShift = 24, GatheredShift = 40;
    private const ulong Field16 = 0xFFFF, Field15 = 0x7FFF;
    private static readonly AppDetail UnreadHello = AppDetail.Word(TlsHello.UnreadWord);

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input) => ReadRecords(ref input, beside: false);

    /// <summary>
    /// Reads a DTLS datagram of a flow another inspector holds (RFC 7983: a WebRTC flow's STUN checks, DTLS handshake and
    /// SRTP share one 5-tuple) for what its server chose: the version, cipher suite and leaf certificate are settled
    /// into the flow's detail after what the holder wrote (<c>binding; version=dtls1.0; cert=sha1</c>) with their
    /// weaknesses; the client's hello is not written. Scratch bits 0 to 54 are this reading's; the holder keeps the rest.
    /// <see cref="InspectResult.Match"/> once nothing more will be read.
    /// </summary>
    internal static InspectResult ReadBeside(ref InspectionInput input) => ReadRecords(ref input, beside: true);

    private static InspectResult ReadRecords(ref InspectionInput input, bool beside)
    {
        var data = input.Data;
        if (input.IsTcp || !IsRecord(data)) return input.Scratch != 0 ? EndWait(ref input) : InspectResult.NoMatch;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[11..]);
        if (RecordHeader + length > data.Length) return InspectResult.NoMatch;
        var version = TlsVersions.Name(BinaryPrimitives.ReadUInt16BigEndian(data[1..]));
        if (data[0] != Handshake || length < HandshakeHeader)
        {
            input.Flow.AppDetail ??= TlsHello.VersionDetail(version);
            return EndWait(ref input);
        }
        bool clientHello = false;
        // A datagram may carry several records (RFC 6347 4.1.1), a record several handshake fragments.
        for (var records = data; IsRecord(records); )
        {
            int recordLength = BinaryPrimitives.ReadUInt16BigEndian(records[11..]);
            if (RecordHeader + recordLength > records.Length) break;
            var fragments = records.Slice(RecordHeader, recordLength);
            // Epoch 0 is in clear; a later epoch's handshake records are encrypted.
            bool clear = records[0] == Handshake && records[3] == 0 && records[4] == 0;
            records = records[(RecordHeader + recordLength)..];
            while (clear && fragments.Length >= HandshakeHeader)
            {
                int fragmentLength = TlsHandshakeMessage.Read24(fragments[9..]);
                var header = fragments[..HandshakeHeader];
                var fragment = fragments.Slice(HandshakeHeader, Math.Min(fragmentLength, fragments.Length - HandshakeHeader));
                fragments = fragments[(HandshakeHeader + fragment.Length)..];
                bool awaiting = !input.FromClient && (input.Scratch & AwaitingCertificate) != 0;
                if (header[0] == ClientHello)
                    clientHello |= !beside && OnClientHello(ref input, header, fragment, lies: fragment.Length < fragmentLength);
                else if (header[0] == ServerHello && IsWhole(header, fragment) && TlsHello.TryParseServer(fragment, out var server))
                {
                    server.Settle(input.Flow);
                    // The certificate often shares the hello's datagram: the rest of it is read on.
                    if (!server.CertificateFollows || !AwaitCertificate(ref input)) return InspectResult.Match;
                }
                else if (awaiting && header[0] == Certificate)
                {
                    if (OnCertificate(ref input, header, fragment, lies: fragment.Length < fragmentLength)) return InspectResult.Match;
                }
                // A later message of the server's flight (ServerKeyExchange, ServerHelloDone) before any of a certificate:
                // none comes (an anonymous or PSK suite).
                else if (awaiting && header[0] > Certificate && (input.Scratch & CertificateBegun) == 0) return EndWait(ref input);
            }
        }
        if (clientHello) return InspectResult.Partial;
        if ((input.Scratch & AwaitingCertificate) != 0) return input.AtLimit ? EndWait(ref input) : InspectResult.Partial;
        input.Flow.AppDetail ??= TlsHello.VersionDetail(version);
        return input.Scratch != 0 ? InspectResult.Partial : InspectResult.Match;
    }

    /// <summary>
    /// True for a DTLS record header: content type 20-25, a DTLS version (1.0, 1.2, 1.3, or 0x0100: DTLS 1.0 as OpenSSL
    /// wrote it before 0.9.8f, which Cisco AnyConnect's data channel still speaks).
    /// </summary>
    internal static bool IsRecord(ReadOnlySpan<byte> data) =>
        data.Length >= RecordHeader && data[0] is >= 20 and <= 25
        && (data[1] == 0xFE && data[2] is 0xFF or 0xFD or 0xFC || data[1] == 0x01 && data[2] == 0x00);

    // The message in one fragment: offset 0 and all of its length.
    private static bool IsWhole(ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment) =>
        TlsHandshakeMessage.Read24(header[6..]) == 0 && TlsHandshakeMessage.Read24(header[1..]) == fragment.Length
        && TlsHandshakeMessage.Read24(header[9..]) == fragment.Length;

    // True when the fragment is taken as a ClientHello's (the flow is DTLS, waiting for the rest or the ServerHello).
    private static bool OnClientHello(ref InspectionInput input, ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment, bool lies)
    {
        ref ulong scratch = ref input.Scratch;
        // A retransmitted hello, or the second one that carries the server's cookie, says nothing new.
        if ((scratch & (Read | Unread)) != 0) return true;
        if (!lies && IsWhole(header, fragment))
        {
            if (!TlsHello.TryParseClient(fragment, dtls: true, out var whole)) return false;
            input.Flow.AppDetail = whole.Detail();
            scratch |= Hello | Read;
            return true;
        }
        int length = TlsHandshakeMessage.Read24(header[1..]), offset = TlsHandshakeMessage.Read24(header[6..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        var buffer = input.Assembly(HelloAssembly.BufferLength);
        scratch |= Hello;
        if (lies || length > HelloAssembly.MaxLength || offset + fragment.Length > length || buffer.IsEmpty)
            return GiveUp(ref input);
        var assembly = new HelloAssembly(buffer);
        if ((scratch & Gathering) != 0)
        {
            ushort gathering = (ushort)(scratch >> SeqShift & Field16);
            if (sequence < gathering) return true;
            if (sequence == gathering && length != (int)(scratch >> LengthShift & Field15)) return GiveUp(ref input);
            if (sequence > gathering)
            {
                // The client's next hello (RFC 6347 4.2.1: the one with the server's cookie) replaces one left unfinished.
                assembly.Clear();
                scratch &= ~(Field15 << GatheredShift);
            }
        }
        int gathered = (int)(scratch >> GatheredShift & Field15);
        if (!assembly.TryPlace(offset, fragment, ref gathered)) return GiveUp(ref input);
        scratch = scratch & ~(Field16 << SeqShift | Field15 << LengthShift | Field15 << GatheredShift)
            | Gathering | (ulong)sequence << SeqShift | (ulong)length << LengthShift | (ulong)gathered << GatheredShift;
        if (gathered == length)
        {
            bool read = TlsHello.TryParseClient(assembly.Prefix(length), dtls: true, out var hello);
            input.Flow.AppDetail = read ? hello.Detail() : UnreadHello;
            scratch |= read ? Read : Unread;
            return true;
        }
        // Until the rest comes, the flow says what the message's start named, once.
        if ((scratch & Named) == 0 && offset == 0)
        {
            scratch |= Named;
            input.Flow.AppDetail = TlsHello.TryParseClient(assembly.Prefix(length), dtls: true, out var start) ? start.Detail(unread: true) : UnreadHello;
        }
        else if (input.Flow.AppDetail is null) input.Flow.AppDetail = UnreadHello;
        return true;
    }

    // Readies the per-flow buffer for the certificate's fragments once the ClientHello is done with it; false while a
    // ClientHello is still being gathered there (its certificate is then not read).
    private static bool AwaitCertificate(ref InspectionInput input)
    {
        ref ulong scratch = ref input.Scratch;
        // A flight sent again brings its hello again: what was gathered stays.
        if ((scratch & AwaitingCertificate) != 0) return true;
        if ((scratch & (Gathering | Read | Unread)) == Gathering) return false;
        var buffer = input.Assembly(HelloAssembly.BufferLength);
        if (!buffer.IsEmpty) new HelloAssembly(buffer).Clear();
        scratch = scratch & ~(Field16 << SeqShift | Field15 << LengthShift | Field15 << GatheredShift) | AwaitingCertificate;
        return true;
    }

    // A fragment of the server's Certificate message: true once its first entry is judged, or cannot be.
    private static bool OnCertificate(ref InspectionInput input, ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment, bool lies)
    {
        ref ulong scratch = ref input.Scratch;
        int declared = TlsHandshakeMessage.Read24(header[1..]), offset = TlsHandshakeMessage.Read24(header[6..]);
        scratch |= CertificateBegun;
        if (lies || offset + fragment.Length > declared) return GiveUpCertificate(ref input);
        // Most leaves come in the first fragment, read in place.
        if (offset == 0 && ServerCertificate.JudgeLeaf(input.Flow, fragment, declared, last: fragment.Length == declared) == TlsHandshakeMessage.State.Complete)
            return true;
        var buffer = input.Assembly(HelloAssembly.BufferLength);
        if (buffer.IsEmpty) return false;
        // Only the bound's worth is gathered: a leaf past it is unread.
        int bound = Math.Min(declared, HelloAssembly.MaxLength), known = (int)(scratch >> LengthShift & Field15);
        if (known != 0 && known != bound) return GiveUpCertificate(ref input);
        scratch = scratch & ~(Field15 << LengthShift) | (ulong)bound << LengthShift;
        if (offset >= bound) return false;
        var assembly = new HelloAssembly(buffer);
        int gathered = 0;
        if (!assembly.TryPlace(offset, fragment[..Math.Min(fragment.Length, bound - offset)], ref gathered)) return GiveUpCertificate(ref input);
        var prefix = assembly.Prefix(bound);
        return ServerCertificate.JudgeLeaf(input.Flow, prefix, declared, last: prefix.Length == bound) == TlsHandshakeMessage.State.Complete;
    }

    // Fragments that disagree, or a record cut short: the certificate is not read.
    private static bool GiveUpCertificate(ref InspectionInput input)
    {
        EndWait(ref input);
        return true;
    }

    // No more of the certificate will be read: a leaf begun and not judged is said unread.
    private static InspectResult EndWait(ref InspectionInput input)
    {
        if ((input.Scratch & (AwaitingCertificate | CertificateBegun)) == (AwaitingCertificate | CertificateBegun)) ServerCertificate.SayUnread(input.Flow);
        input.Scratch &= ~AwaitingCertificate;
        return InspectResult.Match;
    }

    // The hello cannot be read whole: what its first fragment named stays, with the word hello-unread.
    private static bool GiveUp(ref InspectionInput input)
    {
        input.Scratch |= Unread;
        if ((input.Scratch & Named) == 0) input.Flow.AppDetail = UnreadHello;
        return true;
    }
}
