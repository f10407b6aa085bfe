using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>DTLS over UDP: a record with a DTLS version and epoch 0 at the start; hellos read as in TLS, plus the cookie.</summary>
public sealed class DtlsInspector() : Inspector(new(AppLabel.Dtls, Udp, [443, 4433, 5061, 3478, 5349], InspectorPrecision.Signature, 40) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int RecordHeader = 13, HandshakeHeader = 12;
    private const byte Handshake = 22, ClientHello = 1, ServerHello = 2;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < RecordHeader || data[0] is < 20 or > 25 || data[1] != 0xFE || data[2] is not (0xFF or 0xFD or 0xFC))
            return input.Scratch != 0 ? InspectResult.Match : InspectResult.NoMatch;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[11..]);
        if (RecordHeader + length > data.Length) return InspectResult.NoMatch;
        var version = TlsHello.VersionName(BinaryPrimitives.ReadUInt16BigEndian(data[1..]));
        if (data[0] != Handshake || length < HandshakeHeader)
        {
            input.Flow.AppDetail ??= TlsHello.VersionDetail(version);
            return InspectResult.Match;
        }
        var body = data.Slice(RecordHeader + HandshakeHeader, length - HandshakeHeader);
        byte type = data[RecordHeader];
        if (type == ClientHello && TlsHello.TryParseClient(body, dtls: true, out var client))
        {
            // A retransmitted hello says nothing new.
            if (input.Scratch == 0) input.Flow.AppDetail = client.Detail();
            input.Scratch = 1;
            return InspectResult.Partial;
        }
        if (type == ServerHello && TlsHello.TryParseServer(body, out var server))
        {
            input.Flow.AppDetail = TlsHello.WithVersion(input.Flow.AppDetail, TlsHello.VersionName(server.Version));
            return InspectResult.Match;
        }
        input.Flow.AppDetail ??= TlsHello.VersionDetail(version);
        return input.Scratch != 0 ? InspectResult.Partial : InspectResult.Match;
    }
}
