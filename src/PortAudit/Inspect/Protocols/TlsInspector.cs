using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// TLS over TCP: a record header with a 3.x version; the ClientHello gives SNI, ALPN and the offered version
/// (Partial, waiting for the ServerHello), the ServerHello the negotiated version.
/// </summary>
public sealed class TlsInspector() : Inspector(new(AppLabel.Tls, Tcp, [443, 5061, 636, 993, 995, 465, 8443, 3269, 853, 5223, 4443, 3389], InspectorPrecision.Signature, 30) { Depth = ProbeDepth.Exchange })
{
    private const int RecordHeader = 5, HandshakeHeader = 4;
    private const byte Handshake = 22, ClientHello = 1, ServerHello = 2;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (!input.IsTcp) return InspectResult.NoMatch;
        var data = input.Data;
        if (data.Length < RecordHeader) return data.Length > 0 && data[0] is >= 20 and <= 23 && !input.AtLimit ? InspectResult.NeedMore : Keep(ref input);
        if (!IsRecord(data)) return Keep(ref input);
        if (data[0] != Handshake) return InspectResult.Match;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        var record = data[RecordHeader..Math.Min(data.Length, RecordHeader + length)];
        if (record.Length < length && !input.AtLimit) return InspectResult.NeedMore;
        if (record.Length < HandshakeHeader) return InspectResult.Match;
        var body = record[HandshakeHeader..];
        return record[0] switch
        {
            ClientHello => OnClientHello(ref input, body),
            ServerHello => OnServerHello(ref input, body),
            _ => InspectResult.Match,
        };
    }

    /// <summary>True for a TLS record header: content type 20-23, version 3.0 to 3.4, length within the RFC 8446 limit.</summary>
    public static bool IsRecord(ReadOnlySpan<byte> data) =>
        data.Length >= RecordHeader && data[0] is >= 20 and <= 23 && data[1] == 3 && data[2] <= 4
        && BinaryPrimitives.ReadUInt16BigEndian(data[3..]) is > 0 and <= 16384 + 2048;

    private static InspectResult OnClientHello(ref InspectionInput input, ReadOnlySpan<byte> body)
    {
        if (!input.FromClient || !TlsHello.TryParseClient(body, dtls: false, out var hello)) return Keep(ref input);
        // The stream is shown from its start each time: the hello is read again, its text built once.
        if (input.Scratch == 0) input.Flow.AppDetail = hello.Detail();
        input.Scratch = 1;
        return InspectResult.Partial;
    }

    private static InspectResult OnServerHello(ref InspectionInput input, ReadOnlySpan<byte> body)
    {
        if (input.FromClient || !TlsHello.TryParseServer(body, out var hello)) return Keep(ref input);
        input.Flow.AppDetail = TlsHello.WithVersion(input.Flow.AppDetail, TlsHello.VersionName(hello.Version));
        return InspectResult.Match;
    }

    // Once the ClientHello claimed the flow, bytes that are no hello (a server that talks first, an alert) still leave it TLS.
    private static InspectResult Keep(ref InspectionInput input) => input.Scratch != 0 ? InspectResult.Match : InspectResult.NoMatch;
}
