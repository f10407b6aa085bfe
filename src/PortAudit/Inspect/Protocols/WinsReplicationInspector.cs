using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// WINS replication on TCP 42 ([MS-WINSRA] 2.2): big-endian messages of a size, an opcode with the 0x7800 bits set, an
/// association context and a message type (start association, its response, stop association, replication). The
/// partner's start association waits for the response that confirms it.
/// </summary>
public sealed class WinsReplicationInspector() : Inspector(new(AppLabel.WinsReplication, Tcp, [42], InspectorPrecision.Signature, 210) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Header = 16;
    private const uint OpcodeBits = 0x7800;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        if (data.Length < Header) return ServerConfirmation.ShortOfHeader(ref input);
        uint size = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint opcode = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        uint type = BinaryPrimitives.ReadUInt32BigEndian(data[12..]);
        if (size is < 12 or > 64 * 1024 || (opcode & OpcodeBits) != OpcodeBits || opcode > 0xFFFF || type > 3) return ServerConfirmation.Denied(ref input);
        var result = ServerConfirmation.Either(ref input, type + 1, out uint first);
        if (result != InspectResult.Match) return result;
        input.Flow.AppDetail ??= AppDetail.Word((first == 0 ? type : first - 1) switch
        {
            0 => "start-association",
            1 => "start-association-response",
            2 => "stop-association",
            _ => "replication",
        });
        return InspectResult.Match;
    }
}
