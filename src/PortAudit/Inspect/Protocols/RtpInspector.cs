using System.Buffers.Binary;
using System.Globalization;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// RTP (RFC 3550) by heuristic: version 2, a payload type outside the RTCP range, a header that fits, and, because one
/// such datagram proves little, a second one in the same direction with the same SSRC and a sequence number a little
/// further on. Reported with appDetail "heuristic".
/// </summary>
public sealed class RtpInspector() : Inspector(new(AppLabel.Rtp, AnyTransport, [], InspectorPrecision.Heuristic, 20) { UsesScratch = true, Depth = ProbeDepth.SeveralMessages })
{
    private const int Header = 12;
    private const int MaxSequenceStep = 16;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp) return InspectFramed(ref input);
        // Media often follows a few signalling or keep-alive datagrams: only a stream that never looks like RTP is ruled out.
        if (!IsHeader(data)) return input.Index < 3 ? InspectResult.NeedMore : InspectResult.NoMatch;
        // One 32-bit slot per direction: a 15-bit SSRC digest with a presence bit, and the sequence number.
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
        uint entry = (((ssrc ^ (ssrc >> 15)) & 0x7FFF) | 0x8000) << 16 | BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int shift = input.FromClient ? 0 : 32;
        uint previous = (uint)(input.Scratch >> shift);
        if (previous != 0 && (previous >> 16) == (entry >> 16))
        {
            int step = (ushort)(entry - previous);
            if (step is > 0 and <= MaxSequenceStep)
            {
                input.Flow.AppDetail = Heuristic(data[1] & 0x7F, framed: false);
                return InspectResult.Match;
            }
        }
        input.Scratch = (input.Scratch & ~(0xFFFF_FFFFUL << shift)) | ((ulong)entry << shift);
        return InspectResult.NeedMore;
    }

    // RTP over TCP (RFC 4571): two length-prefixed packets in a row from one source.
    private static InspectResult InspectFramed(ref InspectionInput input)
    {
        var data = input.Data;
        if (data.Length < 2 + Header) return input.Undecided;
        int first = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (first < Header || !IsHeader(data.Slice(2, Math.Min(first, data.Length - 2)))) return InspectResult.NoMatch;
        var rest = data[(2 + Math.Min(first, data.Length - 2))..];
        if (rest.Length < 2 + Header) return input.Undecided;
        int second = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (second < Header || !IsHeader(rest.Slice(2, Math.Min(second, rest.Length - 2)))) return InspectResult.NoMatch;
        if (!data.Slice(10, 4).SequenceEqual(rest.Slice(10, 4))) return InspectResult.NoMatch;
        input.Flow.AppDetail = Heuristic(data[3] & 0x7F, framed: true);
        return InspectResult.Match;
    }

    // Payload types are seven bits: each detail is built once and shared by the flows that carry it.
    private static readonly AppDetail?[] Unframed = new AppDetail?[128], Rfc4571 = new AppDetail?[128];

    private static AppDetail Heuristic(int payloadType, bool framed)
    {
        ref var detail = ref (framed ? Rfc4571 : Unframed)[payloadType];
        return detail ??= framed
            ? AppDetail.Of(new(null, "heuristic"), new("pt", payloadType.ToString(CultureInfo.InvariantCulture)), new(null, "rfc4571"))
            : AppDetail.Of(new(null, "heuristic"), new("pt", payloadType.ToString(CultureInfo.InvariantCulture)));
    }

    private static bool IsHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length < Header || (data[0] >> 6) != 2) return false;
        int payloadType = data[1] & 0x7F;
        if (payloadType is >= 72 and <= 76) return false;
        int header = Header + 4 * (data[0] & 0x0F);
        if ((data[0] & 0x10) != 0)
        {
            if (data.Length < header + 4) return false;
            header += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(data[(header + 2)..]);
        }
        int padding = (data[0] & 0x20) != 0 ? data[^1] : 0;
        return header + padding <= data.Length && (padding == 0 || padding <= data.Length - header);
    }
}
