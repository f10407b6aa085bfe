using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// MS-RDPEUDP over UDP 3389: the SYN datagram (snSourceAck -1, the SYN flag, up- and downstream MTUs of 1132-1232 in
/// its SYN data, padded to 1232 bytes) and the server's SYN+ACK, which confirms it ([MS-RDPEUDP] 2.2.2.5, 3.1.5.1.1).
/// A capture joined after the handshake shows neither: there a data datagram of one side (its ACK vector, then the
/// source payload header and a TLS or DTLS record, 2.2.2.4 and 2.2.2.7) answered by the other side's acknowledgement of
/// that very sequence number (snSourceAck within <see cref="AckWindow"/> of it) claims the flow.
/// </summary>
public sealed class RdpUdpInspector() : Inspector(new(AppLabel.RdpUdp, Udp, [3389], InspectorPrecision.Signature, 150) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Header = 8, SynData = 8, MinMtu = 1132, MaxMtu = 1232;
    private const ushort Syn = 0x0001, Ack = 0x0004, Data = 0x0008, Fec = 0x0010, AckOfAcks = 0x0100, Lossy = 0x0200;
    // Bits no version 1 datagram after the handshake sets: the ones [MS-RDPEUDP] 2.2.2.1 leaves undefined, and SYNEX and
    // CORRELATION_ID, which only a SYN carries.
    private const ushort NotAfterHandshake = 0xF800;
    private const int MaxAckVector = 2048;

    // How far behind the sequence number a side last sent the other side's acknowledgement may lag: the acknowledgement
    // names the highest number received, and datagrams cross on the wire.
    private const uint AckWindow = 64;

    // The scratch word's bits above ServerConfirmation's byte: a data datagram seen after the handshake, whether the
    // client sent it, whether its record was DTLS (the lossy mode's), and its sequence number in the high half.
    private const ulong MidstreamSeen = 1UL << 8, MidstreamFromClient = 1UL << 9, MidstreamDtls = 1UL << 10;

    private static readonly AppDetail ReliableMidstream = AppDetail.Of(new DetailPart(null, "reliable"), new DetailPart(null, "midstream"));
    private static readonly AppDetail LossyMidstream = AppDetail.Of(new DetailPart(null, "lossy"), new DetailPart(null, "midstream"));

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp) return InspectResult.NoMatch;
        var midstream = Midstream(ref input);
        if (midstream != InspectResult.NoMatch) return midstream;
        if (data.Length < Header + SynData || !IsSyn(data, out ushort flags))
            return (input.Scratch & MidstreamSeen) != 0 ? input.Undecided : ServerConfirmation.Denied(ref input);
        bool ack = (flags & Ack) != 0;
        if (input.FromClient == ack) return InspectResult.NoMatch;
        var result = input.FromClient ? ServerConfirmation.Client(ref input) : InspectResult.Match;
        if (result == InspectResult.Match) input.Flow.AppDetail = AppDetail.Word((flags & Lossy) != 0 ? "lossy" : "reliable");
        return result;
    }

    // A datagram after the handshake: one that acknowledges the sequence number the other side's data datagram carried
    // claims the flow; a data datagram is remembered for the other side to acknowledge. ServerConfirmation's byte of the
    // scratch word is kept: a SYN seen before still waits for its SYN+ACK.
    private static InspectResult Midstream(ref InspectionInput input)
    {
        if (!IsAfterHandshake(input.Data, out uint acknowledged, out bool data, out uint sequence, out bool dtls)) return InspectResult.NoMatch;
        ulong scratch = input.Scratch;
        bool fromClient = input.FromClient;
        if ((scratch & MidstreamSeen) != 0 && ((scratch & MidstreamFromClient) != 0) != fromClient
            && (uint)(scratch >> 32) - acknowledged + AckWindow <= 2 * AckWindow)
        {
            input.Flow.AppDetail = (scratch & MidstreamDtls) != 0 ? LossyMidstream : ReliableMidstream;
            return InspectResult.Match;
        }
        if (data)
            input.Scratch = (scratch & 0xFF) | MidstreamSeen | (fromClient ? MidstreamFromClient : 0) | (dtls ? MidstreamDtls : 0) | (ulong)sequence << 32;
        return input.Undecided;
    }

    // The layout of [MS-RDPEUDP] 2.2.2.1 after the handshake: the FEC header with ACK set and SYN clear, the ACK vector
    // (at most 2048 elements, padded to 4 bytes), the ack of acks when flagged, and for a data datagram the source payload
    // header (its sequence number, snCoded) before a TLS record (reliable mode) or a DTLS one (lossy).
    private static bool IsAfterHandshake(ReadOnlySpan<byte> datagram, out uint acknowledged, out bool data, out uint sequence, out bool dtls)
    {
        acknowledged = sequence = 0;
        data = dtls = false;
        if (datagram.Length < Header + 4) return false;
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]);
        if ((flags & (Syn | Ack | NotAfterHandshake)) != Ack || BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]) == 0) return false;
        acknowledged = BinaryPrimitives.ReadUInt32BigEndian(datagram);
        int vector = BinaryPrimitives.ReadUInt16BigEndian(datagram[Header..]);
        if (vector > MaxAckVector) return false;
        int at = Header + ((2 + vector + 3) & ~3) + ((flags & AckOfAcks) != 0 ? 4 : 0);
        if ((flags & Data) == 0) return at == datagram.Length;
        // An FEC datagram's payload is coded from others: no record shows in it.
        if ((flags & Fec) != 0 || datagram.Length < at + 8 + 5) return false;
        data = true;
        sequence = BinaryPrimitives.ReadUInt32BigEndian(datagram[at..]);
        var record = datagram[(at + 8)..];
        dtls = IsDtlsRecord(record);
        return dtls || IsTlsRecord(record);
    }

    // A record header of TLS or DTLS (the inspectors' own checks) whose length the datagram holds.
    private static bool IsTlsRecord(ReadOnlySpan<byte> record) =>
        TlsInspector.IsRecord(record) && BinaryPrimitives.ReadUInt16BigEndian(record[3..]) <= record.Length - 5;

    private static bool IsDtlsRecord(ReadOnlySpan<byte> record) =>
        DtlsInspector.IsRecord(record) && BinaryPrimitives.ReadUInt16BigEndian(record[11..]) <= record.Length - 13;

    private static bool IsSyn(ReadOnlySpan<byte> data, out ushort flags)
    {
        flags = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if ((flags & Syn) == 0) return false;
        // The client's SYN acknowledges nothing yet (-1); its datagram is padded to the smallest MTU.
        if ((flags & Ack) == 0 && (BinaryPrimitives.ReadUInt32BigEndian(data) != uint.MaxValue || data.Length < MaxMtu)) return false;
        int up = BinaryPrimitives.ReadUInt16BigEndian(data[(Header + 4)..]);
        int down = BinaryPrimitives.ReadUInt16BigEndian(data[(Header + 6)..]);
        return up is >= MinMtu and <= MaxMtu && down is >= MinMtu and <= MaxMtu;
    }
}
