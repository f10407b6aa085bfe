using System.Buffers.Binary;
using PortAudit.Decode;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// RTP (RFC 3550) by heuristic: version 2, a payload type outside the RTCP range, a header that fits, and, because one
/// such datagram proves little, a second one in the same direction with the same SSRC and a sequence number a little
/// further on. Reported with appDetail "heuristic".
/// </summary>
public sealed class RtpInspector : IInspector
{
    private const int Header = 12;
    private const int MaxSequenceStep = 16;

    /// <inheritdoc />
    public string Name => "rtp";

    /// <inheritdoc />
    public bool HintsPort(byte protocol, ushort port) => false;

    /// <inheritdoc />
    public InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || !IsHeader(data)) return InspectResult.NoMatch;
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
                input.Flow.AppDetail = $"heuristic; pt={data[1] & 0x7F}";
                return InspectResult.Match;
            }
        }
        input.Scratch = (input.Scratch & ~(0xFFFF_FFFFUL << shift)) | ((ulong)entry << shift);
        return InspectResult.NeedMore;
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
