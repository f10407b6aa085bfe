using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// TLS over TCP: a record header with a 3.x version; the ClientHello gives SNI, ALPN and the offered version
/// (Partial, waiting for the ServerHello), the ServerHello the negotiated version and the ALPN protocol the server
/// selected (<c>alpn-selected=h2</c>, which <see cref="AlpnProtocols"/> names the application of). An SSL 2.0-compatible ClientHello
/// (RFC 5246 E.2) waits the same way. A hello cut across handshake records is read across them
/// (<see cref="TlsHandshakeMessage"/>); one that cannot be read whole is TLS with the word <c>hello-unread</c>. Up to TLS
/// 1.2 the server's leaf certificate follows its hello in clear, and is judged (<see cref="ServerCertificate"/>) when it
/// comes within the bytes inspected: <c>cert=sha1</c> and the <see cref="FlowWeakness.TlsWeakCertificate"/> weakness.
/// </summary>
/// <remarks>
/// MS-TURN over TCP 443 opens with a pseudo-TLS handshake ([MS-TURN] 2.1.1): a ClientHello answered by a ServerHello
/// and a ServerHelloDone in one record, after which TURN messages flow in clear in [MS-TURN] 2.1.4's framing. Real TLS
/// puts a Certificate (or, resuming, a ChangeCipherSpec) after the ServerHello, so that record tells the two apart. The
/// opening alone proves nothing (a server can answer any ClientHello so and tunnel anything behind it): the flow is
/// stun with detail <c>ms-turn; pseudo-tls</c> while what follows it, either way and through the bytes inspected, is
/// MS-TURN framing (<see cref="MsTurnFrame.Follow"/>) or nothing; other bytes where a frame was due (a TLS record, HTTP,
/// anything) make it <see cref="AppLabel.PseudoTls"/>, which no catalog protocol accepts. Either way the ClientHello's
/// server name and ALPN stay in front. (TLS with pre-shared keys and no identity hint opens the same way; no product on
/// the catalog's ports uses it.)
/// </remarks>
public sealed class TlsInspector() : Inspector(new(AppLabel.Tls, Tcp, [443, 5061, 636, 993, 995, 465, 8443, 3269, 853, 5223, 4443, 3389], InspectorPrecision.Signature, 30)
{
    UsesScratch = true,
    Depth = ProbeDepth.Exchange,
    Produces = [AppLabel.Tls, AppLabel.Stun, AppLabel.PseudoTls],
})
{
    private const int RecordHeader = 5, HandshakeHeader = 4;
    private const byte Handshake = 22, ClientHello = 1, ServerHello = 2, ServerHelloDone = 14;
    // Scratch bits: the ClientHello claimed the flow; the pseudo-TLS opening was seen; the ServerHello was read and its
    // certificate is awaited.
    private const ulong Hello = 1, PseudoTlsOpening = 2, AwaitingCertificate = 4;
    private static readonly DetailPart[] PseudoTls = [new(null, "ms-turn"), new(null, "pseudo-tls")];
    private static readonly AppDetail UnreadHello = AppDetail.Word(TlsHello.UnreadWord);
    private static readonly DetailPart AfterTlsRecord = new("after", "tls-record"), AfterHttp = new("after", "http"), AfterOther = new("after", "other");

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (!input.IsTcp) return InspectResult.NoMatch;
        if ((input.Scratch & PseudoTlsOpening) != 0) return AfterPseudoTls(ref input);
        if ((input.Scratch & AwaitingCertificate) != 0) return input.FromClient ? InspectResult.Partial : OnCertificate(ref input);
        var data = input.Data;
        if (input.FromClient && input.Scratch == 0 && Ssl2ClientHelloLength(data) > 0)
        {
            input.Scratch = Hello;
            return InspectResult.Partial;
        }
        if (data.Length < RecordHeader) return data.Length > 0 && data[0] is >= 20 and <= 23 && !input.AtLimit ? InspectResult.NeedMore : Keep(ref input);
        if (!IsRecord(data)) return Keep(ref input);
        if (data[0] != Handshake) return InspectResult.Match;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        var record = data[RecordHeader..Math.Min(data.Length, RecordHeader + length)];
        if (record.Length < length && !input.AtLimit) return InspectResult.NeedMore;
        // Most messages end in their first record, read in place; one that goes on in the next records is gathered.
        if (record.Length >= HandshakeHeader && HandshakeHeader + TlsHandshakeMessage.Read24(record[1..]) <= record.Length)
            return OnMessage(ref input, record[..(HandshakeHeader + TlsHandshakeMessage.Read24(record[1..]))], record, whole: true);
        return OnSpanningMessage(ref input, data, record);
    }

    /// <summary>True for a TLS record header: content type 20-23, version 3.0 to 3.4, length within the RFC 8446 limit.</summary>
    public static bool IsRecord(ReadOnlySpan<byte> data) =>
        data.Length >= RecordHeader && data[0] is >= 20 and <= 23 && data[1] == 3 && data[2] <= 4
        && BinaryPrimitives.ReadUInt16BigEndian(data[3..]) is > 0 and <= 16384 + 2048;

    // The buffer is written before it is read (only its gathered prefix is); zeroing it first would cost as much again.
    [SkipLocalsInit]
    private static InspectResult OnSpanningMessage(ref InspectionInput input, ReadOnlySpan<byte> data, ReadOnlySpan<byte> record)
    {
        var state = TlsHandshakeMessage.Read(data, default, out _, out _);
        if (state == TlsHandshakeMessage.State.NeedMore && !input.AtLimit) return InspectResult.NeedMore;
        // Bounded by what an inspector is shown (the stream limit) and by the longest message read: once a flow.
        Span<byte> buffer = stackalloc byte[Math.Min(data.Length, TlsHandshakeMessage.MaxLength)];
        TlsHandshakeMessage.Read(data, buffer, out int gathered, out _);
        return OnMessage(ref input, buffer[..gathered], record, whole: state == TlsHandshakeMessage.State.Complete);
    }

    private static InspectResult OnMessage(ref InspectionInput input, scoped ReadOnlySpan<byte> message, scoped ReadOnlySpan<byte> record, bool whole)
    {
        if (message.IsEmpty) return InspectResult.Match;
        var body = message.Length > HandshakeHeader ? message[HandshakeHeader..] : default;
        return message[0] switch
        {
            ClientHello => OnClientHello(ref input, body, whole),
            ServerHello when message.Length >= HandshakeHeader => OnServerHello(ref input, body, record, whole),
            _ => InspectResult.Match,
        };
    }

    private static InspectResult OnClientHello(ref InspectionInput input, scoped ReadOnlySpan<byte> body, bool whole)
    {
        if (!input.FromClient) return Keep(ref input);
        bool read = TlsHello.TryParseClient(body, dtls: false, out var hello);
        // A damaged hello is no TLS; one cut short by the limits, or by a record of another kind, is TLS whose name went unread.
        if (!read && whole) return Keep(ref input);
        // The stream is shown from its start each time: the hello is read again, its text built once.
        if (input.Scratch == 0) input.Flow.AppDetail = read ? hello.Detail(unread: !whole) : UnreadHello;
        input.Scratch |= Hello;
        return InspectResult.Partial;
    }

    private static InspectResult OnServerHello(ref InspectionInput input, scoped ReadOnlySpan<byte> body, scoped ReadOnlySpan<byte> record, bool whole)
    {
        // A ServerHello that cannot be read whole leaves the version the client offered.
        if (input.FromClient || !whole || !TlsHello.TryParseServer(body, out var hello)) return Keep(ref input);
        if (IsHelloDoneAfter(record))
        {
            input.Flow.App = AppLabel.Stun;
            input.Flow.AppDetail = TlsHello.NamesThen(input.Flow.AppDetail, PseudoTls);
            input.Scratch |= PseudoTlsOpening;
            return AfterPseudoTls(ref input);
        }
        hello.Settle(input.Flow);
        if (!hello.CertificateFollows) return InspectResult.Match;
        input.Scratch |= AwaitingCertificate;
        return OnCertificate(ref input);
    }

    // The server's leaf certificate, once it is here or will not come.
    private static InspectResult OnCertificate(ref InspectionInput input) =>
        ServerCertificate.Judge(input.Flow, input.Data, input.AtLimit) == TlsHandshakeMessage.State.NeedMore && !input.AtLimit
            ? InspectResult.Partial : InspectResult.Match;

    // After the pseudo-TLS opening each side's bytes, as far as they are inspected, must be MS-TURN frames: the flow stays
    // MS-TURN until the last of them is read; a byte where a frame header was due, either way, and it is not. A side that
    // says nothing more leaves the claim as it stands.
    private static InspectResult AfterPseudoTls(ref InspectionInput input)
    {
        var data = input.Data;
        int opening = input.FromClient ? ClientOpeningLength(data) : IsRecord(data) ? RecordHeader + BinaryPrimitives.ReadUInt16BigEndian(data[3..]) : 0;
        if (opening == 0 || opening >= data.Length) return InspectResult.Partial;
        var next = data[opening..];
        var verdict = MsTurnFrame.Follow(next, out int at);
        if (verdict == MsTurnFrame.Verdict.TurnMessage || (verdict == MsTurnFrame.Verdict.Incomplete && !input.AtLimit))
            return InspectResult.Partial;
        input.Flow.App = AppLabel.PseudoTls;
        input.Flow.AppDetail = TlsHello.NamesThen(input.Flow.AppDetail, [WhatFollowed(next[at..])]);
        return InspectResult.Match;
    }

    // The client's opening: its SSL 2.0 hello, or the records of its ClientHello (0 while they are not all here).
    private static int ClientOpeningLength(ReadOnlySpan<byte> data)
    {
        int ssl2 = Ssl2ClientHelloLength(data);
        if (ssl2 > 0) return ssl2;
        return TlsHandshakeMessage.Read(data, default, out _, out int end) == TlsHandshakeMessage.State.Complete ? end : 0;
    }

    // What an auditor reads of a tunnel behind the opening: TLS records (application data with no certificate before it),
    // HTTP in clear, or bytes of no known shape.
    private static DetailPart WhatFollowed(ReadOnlySpan<byte> next)
    {
        if (IsRecord(next)) return AfterTlsRecord;
        int end = next.IndexOfAny((byte)'\r', (byte)'\n');
        return StartLine.TryParse(end < 0 ? next : next[..end], "HTTP/1."u8, out _) ? AfterHttp : AfterOther;
    }

    // The ServerHello is followed, in the same record and ending it, by an empty ServerHelloDone.
    private static bool IsHelloDoneAfter(ReadOnlySpan<byte> record)
    {
        if (record.Length < HandshakeHeader) return false;
        int next = HandshakeHeader + TlsHandshakeMessage.Read24(record[1..]);
        return record.Length == next + HandshakeHeader && record[next] == ServerHelloDone
            && record[next + 1] == 0 && record[next + 2] == 0 && record[next + 3] == 0;
    }

    // SSL 2.0 record header (two bytes, high bit set) around a CLIENT-HELLO offering SSL 3.0 or later: the lengths of the
    // cipher specs (three bytes each), session id (none or 16 bytes) and challenge (16-32 bytes) add up to the record.
    // Its length with the header, or 0 for anything else.
    private static int Ssl2ClientHelloLength(ReadOnlySpan<byte> data)
    {
        if (data.Length < 11 || (data[0] & 0x80) == 0 || data[2] != ClientHello || data[3] != 3 || data[4] > 4) return 0;
        int length = (data[0] & 0x7F) << 8 | data[1];
        int specs = BinaryPrimitives.ReadUInt16BigEndian(data[5..]);
        int session = BinaryPrimitives.ReadUInt16BigEndian(data[7..]);
        int challenge = BinaryPrimitives.ReadUInt16BigEndian(data[9..]);
        return specs > 0 && specs % 3 == 0 && session is 0 or 16 && challenge is >= 16 and <= 32 && length == 9 + specs + session + challenge
            ? 2 + length : 0;
    }

    // Once the ClientHello claimed the flow, bytes that are no hello (a server that talks first, an alert) still leave it TLS.
    private static InspectResult Keep(ref InspectionInput input) => input.Scratch != 0 ? InspectResult.Match : InspectResult.NoMatch;
}
