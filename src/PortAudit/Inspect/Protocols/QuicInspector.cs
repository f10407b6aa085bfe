using System.Buffers;
using System.IO.Hashing;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// QUIC over UDP (RFC 9000, RFC 9369 version 2, drafts 23 to 34, mvfst's and Google's versions that followed them,
/// <see cref="QuicVersion"/>): the client's first datagram is a long-header Initial of a known version in at least 1200
/// bytes (RFC 9000 14.1). Its protection is removed with the keys every reader can
/// derive (<see cref="QuicInitialProtection"/>); a packet that authenticates claims the flow, and its CRYPTO frames,
/// gathered by offset across coalesced packets and the client's first datagrams (<see cref="HelloAssembly"/>), give the
/// ClientHello, read as TLS's (<see cref="TlsHello"/>): <c>sni=...; alpn=...; version=quic1</c>. A hello that cannot be
/// read whole (longer than the bound, CRYPTO data that disagrees with bytes already placed, still cut when the client
/// sends something else) keeps what its start named, with the word <c>hello-unread</c>. An Initial that does not
/// authenticate is no evidence; a long-header answer of the server to the client's connection ID (an Initial, a
/// Handshake, a Retry of the same version, or a Version Negotiation) then confirms the flow, with the version alone.
/// Google's versions before Q050 send their hello in clear (<see cref="GoogleQuicHello"/>): <c>sni=...; version=gquic-Q043</c>.
/// </summary>
/// <remarks>
/// Cost: other UDP is turned away by the first byte, the version field and the datagram's size, before any length is
/// read and with nothing allocated. Crypto runs on at most <see cref="MaxTries"/> client datagrams of a flow, and on
/// at most <see cref="MaxInitialsPerDatagram"/> packets of each; each opening rents its work buffer from the pool and
/// makes the platform's two cipher objects (a few objects per QUIC flow).
/// </remarks>
public sealed class QuicInspector() : Inspector(new(AppLabel.Quic, Udp, [443], InspectorPrecision.Signature, 45) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    /// <summary>Client datagrams whose Initials are opened, at most: Chrome's ClientHello takes two.</summary>
    public const int MaxTries = 4;

    /// <summary>Initial packets opened in one datagram, at most.</summary>
    public const int MaxInitialsPerDatagram = 3;

    /// <summary>The least datagram a client may carry an Initial in (RFC 9000 14.1).</summary>
    public const int MinClientDatagram = 1200;

    // Scratch: the low byte's flags (a client Initial of a known version was seen; one authenticated; the detail is
    // final; the hello's start was named); the version's kind; the client datagrams opened; a fingerprint of the client's
    // Source Connection ID, which the server's answers carry as their Destination.
    private const ulong Candidate = 1, Claimed = 2, Done = 4, Named = 8;
    private const int VersionShift = 8, TriesShift = 16, FingerprintShift = 32;
    private const ulong ByteMask = 0xFF, TriesMask = 0xF, FingerprintMask = 0x3FFF_FFFF;
    private const int HandshakeHeader = 4, KeysLength = 2 * QuicInitialProtection.KeyLength + QuicInitialProtection.IvLength;
    private const byte ClientHello = 1;
    private const byte Padding = 0x00, Ping = 0x01, Ack = 0x02, AckEcn = 0x03, Crypto = 0x06, Close = 0x1c, CloseApplication = 0x1d;

    // Google's versions number their crypto frame 0x08 (offset and length as CRYPTO's), where RFC 9000 has a STREAM frame.
    private const byte GoogleCrypto = 0x08;
    private static readonly AppDetail UnreadHello = AppDetail.Word(TlsHello.UnreadWord);

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (input.IsTcp) return InspectResult.NoMatch;
        if ((input.Scratch & Done) != 0) return InspectResult.Match;
        return input.FromClient ? OnClient(ref input) : OnServer(ref input);
    }

    private static InspectResult OnClient(ref InspectionInput input)
    {
        ref ulong scratch = ref input.Scratch;
        var data = input.Data;
        bool longHeader = QuicLongHeader.TryRead(data, out var first);
        if (!longHeader || first.Type != QuicPacketType.Initial || data.Length < MinClientDatagram)
        {
            if (scratch != 0) return Wait(ref input);
            // A long header of a version read but no Initial: a 0-RTT packet captured before the Initial it follows.
            if (longHeader && first.Type != QuicPacketType.Initial) return input.Undecided;
            if (!GoogleQuicHello.TryRead(data, out var hello)) return InspectResult.NoMatch;
            // Google's QUIC before Q050 sends its hello in clear: read at once, nothing more to wait for.
            input.Flow.AppDetail = hello.Detail();
            scratch = Candidate | Claimed | Done;
            return InspectResult.Match;
        }
        if (scratch == 0) scratch = Candidate | (ulong)first.Version << VersionShift | Fingerprint(first.Source) << FingerprintShift;
        byte version = Version(scratch);
        int tries = (int)(scratch >> TriesShift & TriesMask);
        if (first.Version != version || tries >= MaxTries) return Wait(ref input);
        scratch += 1UL << TriesShift;
        if (Open(ref input, version)) scratch |= Claimed;
        if ((scratch & (Done | Claimed)) != Claimed) return (scratch & Done) != 0 ? InspectResult.Match : Wait(ref input);
        // The hello goes on in the client's next Initials, until the tries are spent.
        return tries + 1 < MaxTries ? InspectResult.Partial : Wait(ref input);
    }

    // A client datagram that brings nothing more: a claimed flow's hello can no longer be completed; a candidate waits for
    // the server.
    private static InspectResult Wait(ref InspectionInput input)
    {
        if ((input.Scratch & Claimed) == 0) return input.Undecided;
        GiveUp(ref input);
        return InspectResult.Match;
    }

    private static InspectResult OnServer(ref InspectionInput input)
    {
        ref ulong scratch = ref input.Scratch;
        if ((scratch & Claimed) != 0) return InspectResult.Partial;
        if ((scratch & Candidate) == 0) return InspectResult.NoMatch;
        byte version = Version(scratch);
        if (QuicLongHeader.TryRead(input.Data, out var answer) && answer.Type != QuicPacketType.ZeroRtt
            && (answer.Type == QuicPacketType.VersionNegotiation || answer.Version == version)
            && Fingerprint(answer.Destination) == (scratch >> FingerprintShift & FingerprintMask))
        {
            input.Flow.AppDetail ??= TlsHello.VersionDetail(QuicVersion.Name(version));
            scratch |= Done;
            return InspectResult.Match;
        }
        return input.Undecided;
    }

    // Opens the client's Initials in one datagram (packets coalesce, RFC 9000 12.2) and reads their frames; true when one
    // authenticated.
    private static bool Open(ref InspectionInput input, byte version)
    {
        var data = input.Data;
        var buffer = input.Assembly(HelloAssembly.BufferLength);
        Span<byte> keys = stackalloc byte[KeysLength];
        var key = keys[..QuicInitialProtection.KeyLength];
        var iv = keys.Slice(QuicInitialProtection.KeyLength, QuicInitialProtection.IvLength);
        var hp = keys[(QuicInitialProtection.KeyLength + QuicInitialProtection.IvLength)..];
        // The unprotected header, then the plaintext: each as long as the packet.
        byte[] work = ArrayPool<byte>.Shared.Rent(2 * data.Length);
        bool opened = false;
        try
        {
            int opens = 0;
            var rest = data;
            while (opens < MaxInitialsPerDatagram && QuicLongHeader.TryRead(rest, out var packet)
                   && packet.Type is not (QuicPacketType.Retry or QuicPacketType.VersionNegotiation))
            {
                var bytes = rest[..packet.PacketLength];
                rest = rest[packet.PacketLength..];
                if (packet.Type != QuicPacketType.Initial || packet.Version != version) continue;
                opens++;
                QuicInitialProtection.ClientKeys(version, packet.Destination, key, iv, hp);
                var plaintext = work.AsSpan(bytes.Length, bytes.Length);
                if (!QuicInitialProtection.TryOpen(bytes, packet.PacketNumberAt, key, iv, hp, work.AsSpan(0, bytes.Length), plaintext, out int length))
                    continue;
                opened = true;
                ReadFrames(ref input, plaintext[..length], buffer, version);
            }
            if (opened) Complete(ref input, buffer, version);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(work);
        }
        return opened;
    }

    // The frames an Initial may carry (RFC 9000 17.2.2): PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE; anything else ends
    // the reading. Each turn reads at least one byte, so the walk ends within the plaintext.
    private static void ReadFrames(ref InspectionInput input, ReadOnlySpan<byte> frames, Span<byte> buffer, byte version)
    {
        int at = 0;
        while (at < frames.Length && (input.Scratch & Done) == 0)
        {
            byte type = frames[at++];
            switch (type)
            {
                case Padding or Ping:
                    continue;
                case Ack or AckEcn:
                    if (!SkipAck(frames, ref at, ecn: type == AckEcn)) return;
                    continue;
                case Crypto:
                case GoogleCrypto when QuicVersion.IsGoogle(version):
                    if (!QuicVarint.TryRead(frames, ref at, out ulong offset) || !QuicVarint.TryRead(frames, ref at, out ulong length)
                        || length > (ulong)(frames.Length - at)) return;
                    if (version == QuicVersion.Q050) OnChlo(ref input, offset, frames.Slice(at, (int)length));
                    else OnCrypto(ref input, offset, frames.Slice(at, (int)length), buffer, version);
                    at += (int)length;
                    continue;
                case Close or CloseApplication:
                    // Error code, the frame type (transport closes only), then the reason phrase.
                    if (!QuicVarint.TryRead(frames, ref at, out _) || (type == Close && !QuicVarint.TryRead(frames, ref at, out _))
                        || !QuicVarint.TryRead(frames, ref at, out ulong reason) || reason > (ulong)(frames.Length - at)) return;
                    at += (int)reason;
                    continue;
                default:
                    return;
            }
        }
    }

    // Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range, the ranges, and with ECN three counts.
    private static bool SkipAck(ReadOnlySpan<byte> frames, ref int at, bool ecn)
    {
        if (!QuicVarint.TryRead(frames, ref at, out _) || !QuicVarint.TryRead(frames, ref at, out _)
            || !QuicVarint.TryRead(frames, ref at, out ulong ranges) || !QuicVarint.TryRead(frames, ref at, out _)) return false;
        // Each range takes two bytes at least: a count past what remains fails within the plaintext's length.
        for (ulong i = 0; i < ranges; i++)
            if (!QuicVarint.TryRead(frames, ref at, out _) || !QuicVarint.TryRead(frames, ref at, out _)) return false;
        for (int i = 0; ecn && i < 3; i++)
            if (!QuicVarint.TryRead(frames, ref at, out _)) return false;
        return true;
    }

    // Q050's hello is QUIC crypto's CHLO, not TLS's: read when it starts the stream and names the server in that frame.
    private static void OnChlo(ref InspectionInput input, ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset != 0 || !GoogleQuicHello.TryReadServerName(data, out var name))
        {
            GiveUp(ref input);
            return;
        }
        input.Flow.AppDetail = GoogleQuicHello.Detail(name, QuicVersion.Name(QuicVersion.Q050));
        input.Scratch |= Done;
    }

    private static void OnCrypto(ref InspectionInput input, ulong offset, ReadOnlySpan<byte> data, Span<byte> buffer, byte version)
    {
        // Most hellos come in one frame from offset 0: read in place.
        if (offset == 0 && data.Length >= HandshakeHeader && HandshakeHeader + TlsHandshakeMessage.Read24(data[1..]) <= data.Length)
        {
            Conclude(ref input, data[..(HandshakeHeader + TlsHandshakeMessage.Read24(data[1..]))], version);
            return;
        }
        // Bytes past the longest hello read are none of it.
        if (offset >= HelloAssembly.MaxLength) return;
        if (buffer.IsEmpty)
        {
            GiveUp(ref input, offset == 0 ? data : default);
            return;
        }
        int gathered = 0;
        var assembly = new HelloAssembly(buffer);
        var piece = data[..(int)Math.Min((ulong)data.Length, HelloAssembly.MaxLength - offset)];
        if (!assembly.TryPlace((int)offset, piece, ref gathered)) GiveUp(ref input, Start(assembly));
    }

    // After a datagram's frames: the hello read whole when all of it is here, else named from its start, once.
    private static void Complete(ref InspectionInput input, Span<byte> buffer, byte version)
    {
        if ((input.Scratch & Done) != 0) return;
        if (buffer.IsEmpty)
        {
            input.Flow.AppDetail ??= TlsHello.WithVersion(UnreadHello, QuicVersion.Name(version));
            return;
        }
        var assembly = new HelloAssembly(buffer);
        var head = assembly.Prefix(HandshakeHeader);
        if (head.Length == HandshakeHeader)
        {
            int length = HandshakeHeader + TlsHandshakeMessage.Read24(head[1..]);
            if (head[0] != ClientHello || length > HelloAssembly.MaxLength)
            {
                GiveUp(ref input);
                return;
            }
            var message = assembly.Prefix(length);
            if (message.Length == length)
            {
                Conclude(ref input, message, version);
                return;
            }
        }
        // Until the rest comes, the flow says what the hello's start named, once that start is here.
        if ((input.Scratch & Named) != 0) return;
        var start = Start(assembly);
        if (start.Length > HandshakeHeader) input.Scratch |= Named;
        input.Flow.AppDetail = Detail(start, version, unread: true);
    }

    private static void Conclude(ref InspectionInput input, ReadOnlySpan<byte> message, byte version)
    {
        input.Flow.AppDetail = Detail(message, version, unread: false);
        input.Scratch |= Done;
    }

    // The hello cannot be read whole: what its start named stays, with the word hello-unread.
    private static void GiveUp(ref InspectionInput input, ReadOnlySpan<byte> start = default)
    {
        ref ulong scratch = ref input.Scratch;
        if ((scratch & Done) != 0) return;
        if (!start.IsEmpty || (scratch & Named) == 0 || input.Flow.AppDetail is null)
            input.Flow.AppDetail = Detail(start, Version(scratch), unread: true);
        scratch |= Done;
    }

    private static AppDetail Detail(ReadOnlySpan<byte> message, byte version, bool unread)
    {
        TlsHello hello = default;
        bool read = message.Length > HandshakeHeader && message[0] == ClientHello
            && TlsHello.TryParseClient(message[HandshakeHeader..], dtls: false, out hello);
        var detail = read ? hello.Detail(unread: unread) : UnreadHello;
        return TlsHello.WithVersion(detail, QuicVersion.Name(version));
    }

    // The hello's bytes gathered from its start, as far as they go.
    private static ReadOnlySpan<byte> Start(HelloAssembly assembly) => assembly.Prefix(HelloAssembly.MaxLength);

    private static byte Version(ulong scratch) => (byte)(scratch >> VersionShift & ByteMask);

    // A connection ID's hash, seeded by its length (IDs of 0 to 20 bytes), cut to the scratch's field (30 bits); the
    // short-header inspector keeps fewer of them.
    internal static ulong Fingerprint(ReadOnlySpan<byte> id) => XxHash32.HashToUInt32(id, id.Length) & FingerprintMask;
}
