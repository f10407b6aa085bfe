using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// DNSCrypt (version 2) over UDP or TCP: DNS encrypted end to end to a resolver of the client's choosing, most often on
/// port 443, where a firewall's rule for the web lets it by the site's own resolvers. The client's query is its
/// certificate's magic, its public key, its nonce, then the sealed question (a Poly1305 tag at least); the resolver's
/// answer opens with the protocol's fixed magic <c>r6fnvWj8</c>, then the client's nonce again, the resolver's, and the
/// sealed answer. Over TCP each message follows its 16-bit length. The answer's magic, 8 bytes no other protocol sends
/// first, claims the flow, when it repeats the nonce of the query read before it; the query alone does not (its bytes
/// are random to any reader). No detail: nothing else is in clear.
/// </summary>
/// <remarks>
/// The certificate exchange before it is plain DNS (a TXT query for <c>2.dnscrypt-cert.</c> and the resolver's name),
/// labelled <c>dns</c> by the DNS inspector.
/// </remarks>
public sealed class DnsCryptInspector() : Inspector(new(AppLabel.DnsCrypt, AnyTransport, [443], InspectorPrecision.Signature, 280) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    // The query: client magic (8), public key (32), nonce (12), a tag (16) at the least.
    private const int QueryNonceAt = 8 + 32, MinQuery = QueryNonceAt + 12 + 16;

    // The answer: the resolver magic (8), the client's and the resolver's nonce halves (24), a tag (16) at the least.
    private const int MinAnswer = 8 + 24 + 16;

    private const int TcpLength = 2;

    private static ReadOnlySpan<byte> ResolverMagic => "r6fnvWj8"u8;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        bool tcp = input.IsTcp;
        int at = tcp ? TcpLength : 0;
        if (input.FromClient)
        {
            // Over TCP the length comes first: a length no query has turns the protocol away before the rest arrives.
            if (tcp && data.Length < TcpLength) return input.Undecided;
            int length = tcp ? BinaryPrimitives.ReadUInt16BigEndian(data) : data.Length;
            if (length < MinQuery || !Padded(length, tcp)) return InspectResult.NoMatch;
            if (data.Length < at + MinQuery) return input.Undecided;
            // Random to any reader: only the resolver's answer can tell, which repeats the nonce's start.
            return ServerConfirmation.Client(ref input, Nonce(data[(at + QueryNonceAt)..]), enoughAlone: false);
        }
        if (tcp && data.Length >= TcpLength && BinaryPrimitives.ReadUInt16BigEndian(data) < MinAnswer) return ServerConfirmation.Denied(ref input);
        // The magic as far as the bytes go: a TCP answer cut short is turned away by its first byte that differs.
        var shown = data[Math.Min(at, data.Length)..];
        if (!ResolverMagic.StartsWith(shown[..Math.Min(shown.Length, ResolverMagic.Length)])) return ServerConfirmation.Denied(ref input);
        if (data.Length < at + MinAnswer) return tcp ? input.Undecided : ServerConfirmation.Denied(ref input);
        // The client's nonce, when its query was read, begins the answer's nonce.
        uint asked = ServerConfirmation.ClientNote(input);
        if (asked != 0 && asked != Nonce(data[(at + ResolverMagic.Length)..])) return ServerConfirmation.Denied(ref input);
        return InspectResult.Match;
    }

    // A query's length: the specification pads its sealed question to a multiple of 64 bytes, 256 at least over UDP,
    // which the query is with its header of 68 bytes; the clients of base.pcap pad the whole query to a multiple of 64
    // instead. Either way, 1 in 32 of other large datagrams, so that the inspector waits for the answer
    // on few flows but DNSCrypt's.
    private static bool Padded(int length, bool tcp) =>
        (tcp || length >= MinUdpQuery) && (length % Block == 0 || (length - MinQuery) % Block == 0);

    private const int Block = 64, MinUdpQuery = 256;

    // The first 4 bytes of a nonce, never 0 (0 is "no query read").
    private static uint Nonce(ReadOnlySpan<byte> nonce) => BinaryPrimitives.ReadUInt32BigEndian(nonce) | 1;
}
