using System.Buffers.Binary;
using PortAudit.Decode;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// L2TP over UDP 1701 (RFC 2661 3.1, RFC 3931): version 2 or 3 with the reserved bits clear. A control message has the
/// length and sequence bits, a length equal to the datagram's and opens with its Message Type AVP; a data message
/// (which carries PPP) is taken only on port 1701, where its few fixed bits are not left to chance.
/// </summary>
public sealed class L2tpInspector() : Inspector(new(AppLabel.L2tp, Udp, [1701], InspectorPrecision.Loose, 70)
{
    // The flags' high byte (RFC 2661 3.1): any whose reserved bits are clear, one byte in eight.
    FirstBytes = Leading(Where(b => (b & (Reserved >> 8)) == 0)),
})
{
    // The header's flags and the port, as the decoder reads them when it opens a data message (UdpTunnels).
    private const ushort Type = UdpTunnels.L2tpControl, Length = UdpTunnels.L2tpHasLength, Sequence = UdpTunnels.L2tpHasSequence;
    private const ushort Offset = UdpTunnels.L2tpHasOffset, Reserved = UdpTunnels.L2tpReserved, Port = UdpTunnels.L2tpPort;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < 6) return InspectResult.NoMatch;
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(data);
        int version = flags & 0xF;
        if (version is not (2 or 3) || (flags & Reserved) != 0) return InspectResult.NoMatch;
        bool control = (flags & Type) != 0;
        if (control)
        {
            if ((flags & (Length | Sequence)) != (Length | Sequence) || (flags & Offset) != 0
                || BinaryPrimitives.ReadUInt16BigEndian(data[2..]) != data.Length || data.Length < 12)
                return InspectResult.NoMatch;
            // After the header (flags, length, ids, Ns, Nr): none (a ZLB acknowledgement) or the Message Type AVP first.
            if (data.Length > 12 && (data.Length < 20 || BinaryPrimitives.ReadUInt32BigEndian(data[14..]) != 0)) return InspectResult.NoMatch;
        }
        else if (input.Flow.ServerPort != Port && input.Flow.ClientPort != Port) return InspectResult.NoMatch;
        else if ((flags & Length) != 0 && BinaryPrimitives.ReadUInt16BigEndian(data[2..]) != data.Length) return InspectResult.NoMatch;
        input.Flow.AppDetail ??= AppDetail.Word(version == 2 ? (control ? "v2 control" : "v2 data") : (control ? "v3 control" : "v3 data"));
        return InspectResult.Match;
    }
}
