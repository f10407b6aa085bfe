using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// MSMQ's binary protocol on TCP 1801 ([MC-MQQB] 2.2.19.1 BaseHeader): version 0x10, the signature "LIOR" and a packet
/// size that covers at least the header. Both sides send it; the server's packet confirms the client's.
/// </summary>
public sealed class MsmqInspector() : Inspector(new(AppLabel.Msmq, Tcp, [1801], InspectorPrecision.Signature, 190) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int BaseHeader = 16;
    private const byte Version = 0x10;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        if (data.Length < BaseHeader) return input.AtLimit || (data.Length > 0 && data[0] != Version) ? ServerConfirmation.Denied(ref input) : InspectResult.NeedMore;
        if (data[0] != Version || !data.Slice(4, 4).SequenceEqual("LIOR"u8) || BinaryPrimitives.ReadUInt32LittleEndian(data[8..]) < BaseHeader)
            return ServerConfirmation.Denied(ref input);
        return ServerConfirmation.Either(ref input, 0, out _);
    }
}
