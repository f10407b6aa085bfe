using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// MS-RDPEUDP over UDP 3389: the SYN datagram (snSourceAck -1, the SYN flag, up- and downstream MTUs of 1132-1232 in
/// its SYN data, padded to 1232 bytes) and the server's SYN+ACK, which confirms it ([MS-RDPEUDP] 2.2.2.5, 3.1.5.1.1).
/// </summary>
public sealed class RdpUdpInspector() : Inspector(new(AppLabel.RdpUdp, Udp, [3389], InspectorPrecision.Signature, 150) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Header = 8, SynData = 8, MinMtu = 1132, MaxMtu = 1232;
    private const ushort Syn = 0x0001, Ack = 0x0004, Lossy = 0x0200;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp) return InspectResult.NoMatch;
        if (data.Length < Header + SynData || !IsSyn(data, out ushort flags))
            return ServerConfirmation.Denied(ref input);
        bool ack = (flags & Ack) != 0;
        if (input.FromClient == ack) return InspectResult.NoMatch;
        var result = input.FromClient ? ServerConfirmation.Client(ref input) : InspectResult.Match;
        if (result == InspectResult.Match) input.Flow.AppDetail = AppDetail.Word((flags & Lossy) != 0 ? "lossy" : "reliable");
        return result;
    }

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
