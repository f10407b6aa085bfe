using System.Buffers.Binary;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The SQL Server browser on UDP 1434 ([MC-SQLR]): the client's request is one byte (CLNT_BCAST_EX, CLNT_UCAST_EX) or
/// one byte and an instance name, too little to name a flow; the server's SVR_RESP (0x05, a size that fits, and the
/// "ServerName;" text) does, whichever side the flow took for its client (a broadcast's answers come from another address).
/// The dedicated administrator connection's answer (2.2.6) is the other SVR_RESP: six bytes whose size counts the whole
/// message, protocol version 1 and the DAC's TCP port.
/// </summary>
public sealed class SqlBrowserInspector() : Inspector(new(AppLabel.SqlBrowser, Udp, [1434], InspectorPrecision.Signature, 200) { UsesScratch = true, Depth = ProbeDepth.Exchange, FirstBytes = Leading(0x02, 0x03, 0x04, Response, 0x0F) })
{
    private const byte Response = 0x05;
    private const int DacResponseBytes = 6;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.IsEmpty) return InspectResult.NoMatch;
        if (data[0] == Response && data.Length > 3 && BinaryPrimitives.ReadUInt16LittleEndian(data[1..]) == data.Length - 3
            && data[3..].StartsWith("ServerName;"u8))
        {
            input.Flow.AppDetail = AppDetail.Word("response");
            return InspectResult.Match;
        }
        if (IsDacResponse(data))
        {
            input.Flow.AppDetail = AppDetail.Of([new(null, "response"), new("dac", BinaryPrimitives.ReadUInt16LittleEndian(data[4..]).ToString())]);
            return InspectResult.Match;
        }
        if (!input.FromClient || !IsRequest(data)) return InspectResult.NoMatch;
        return ServerConfirmation.Client(ref input, enoughAlone: false);
    }

    private static bool IsDacResponse(ReadOnlySpan<byte> data) =>
        data.Length == DacResponseBytes && data[0] == Response && BinaryPrimitives.ReadUInt16LittleEndian(data[1..]) == DacResponseBytes
        && data[3] == 1 && BinaryPrimitives.ReadUInt16LittleEndian(data[4..]) != 0;

    private static bool IsRequest(ReadOnlySpan<byte> data) => data[0] switch
    {
        2 or 3 => data.Length == 1,
        4 => data.Length is > 1 and <= 34 && AsciiText.IsPrintable(data[1..].TrimEnd((byte)0)),
        0x0F => data.Length is > 2 and <= 35 && data[1] == 1 && AsciiText.IsPrintable(data[2..].TrimEnd((byte)0)),
        _ => false,
    };
}
