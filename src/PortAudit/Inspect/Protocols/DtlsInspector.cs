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
/// </summary>
public sealed class DtlsInspector() : Inspector(new(AppLabel.Dtls, Udp, [443, 4433, 5061, 3478, 5349], InspectorPrecision.Signature, 40) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int RecordHeader = 13, HandshakeHeader = 12;
    private const byte Handshake = 22, ClientHello = 1, ServerHello = 2;
    // Scratch: a ClientHello claimed the flow; it was read whole; it cannot be; fragments are being gathered; the detail
    // of the first fragment was set. Then the gathered message's sequence number, length and bytes gathered.
    private const ulong Hello = 1, Read = 2, Unread = 4, Gathering = 8, Named = 16;
    private const int SeqShift = 8, LengthShift = 24, GatheredShift = 40;
    private const ulong Field16 = 0xFFFF, Field15 = 0x7FFF;
    private static readonly AppDetail UnreadHello = AppDetail.Word(TlsHello.UnreadWord);

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || !IsRecord(data)) return input.Scratch != 0 ? InspectResult.Match : InspectResult.NoMatch;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[11..]);
        if (RecordHeader + length > data.Length) return InspectResult.NoMatch;
        var version = TlsVersions.Name(BinaryPrimitives.ReadUInt16BigEndian(data[1..]));
        if (data[0] != Handshake || length < HandshakeHeader)
        {
            input.Flow.AppDetail ??= TlsHello.VersionDetail(version);
            return InspectResult.Match;
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
                if (header[0] == ClientHello)
                    clientHello |= OnClientHello(ref input, header, fragment, lies: fragment.Length < fragmentLength);
                else if (header[0] == ServerHello && IsWhole(header, fragment) && TlsHello.TryParseServer(fragment, out var server))
                {
                    server.Settle(input.Flow);
                    return InspectResult.Match;
                }
            }
        }
        if (clientHello) return InspectResult.Partial;
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

    // The hello cannot be read whole: what its first fragment named stays, with the word hello-unread.
    private static bool GiveUp(ref InspectionInput input)
    {
        input.Scratch |= Unread;
        if ((input.Scratch & Named) == 0) input.Flow.AppDetail = UnreadHello;
        return true;
    }
}
