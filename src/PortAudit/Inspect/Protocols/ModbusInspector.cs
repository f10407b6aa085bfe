using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Modbus/TCP on TCP 502 (Modbus Messaging on TCP/IP Implementation Guide 1.0b, 3.1.3): each ADU an MBAP header of a
/// transaction id, protocol id 0, a length counting the unit id and the PDU (2 to 254 bytes), the unit id, then the
/// function code. Seven bytes with one fixed field prove little, so the client's request waits for the server's answer
/// to it: an ADU among the server's of the same transaction id and unit, and the request's function code (with the
/// exception bit 0x80 set or not). Every whole ADU a direction shows must read as one. The server's answers to requests
/// the capture does not hold (a capture joined midstream) are passed over for the one that answers the request seen.
/// </summary>
public sealed class ModbusInspector() : Inspector(new(AppLabel.Modbus, Tcp, [502], InspectorPrecision.Signature, 300) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Mbap = 7, MinLength = 2, MaxLength = 254, ExceptionBit = 0x80;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        int whole = WholeAdus(data);
        if (whole < 0) return ServerConfirmation.Denied(ref input);
        // Not one ADU whole yet: wait for the rest of it.
        if (whole == 0) return input.AtLimit ? ServerConfirmation.Denied(ref input) : InspectResult.NeedMore;
        if (input.FromClient) return ServerConfirmation.Client(ref input, Note(data), enoughAlone: false);
        uint asked = ServerConfirmation.ClientNote(input);
        if (asked == 0 || !Answers(data, asked)) return input.Undecided;
        input.Flow.AppDetail ??= AppDetail.Word(FunctionName((byte)asked));
        return InspectResult.Match;
    }

    // How many whole ADUs the bytes hold, or -1 when one does not read as an ADU: protocol id 0, a length of 2 to 254
    // and a function code (0 is none). The last ADU, whose bytes may not all have come, must read as one as far as shown.
    private static int WholeAdus(ReadOnlySpan<byte> data)
    {
        int whole = 0;
        while (data.Length >= 4)
        {
            if (data[2] != 0 || data[3] != 0) return -1;
            if (data.Length < Mbap + 1) break;
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
            if (length is < MinLength or > MaxLength || data[Mbap] == 0) return -1;
            if (data.Length < Mbap - 1 + length) break;
            whole++;
            data = data[(Mbap - 1 + length)..];
        }
        return whole;
    }

    // The first request's transaction id, unit id and function code.
    private static uint Note(ReadOnlySpan<byte> data) => (uint)BinaryPrimitives.ReadUInt16BigEndian(data) << 16 | (uint)data[6] << 8 | data[Mbap];

    // True when one of the server's whole ADUs answers the noted request.
    private static bool Answers(ReadOnlySpan<byte> data, uint asked)
    {
        while (data.Length >= Mbap + 1)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
            if (data.Length < Mbap - 1 + length) return false;
            uint answer = (uint)BinaryPrimitives.ReadUInt16BigEndian(data) << 16 | (uint)data[6] << 8 | data[Mbap];
            if (answer == asked || answer == (asked | ExceptionBit)) return true;
            data = data[(Mbap - 1 + length)..];
        }
        return false;
    }

    // The public function codes' names (the application protocol specification 1.1b3, 6), as tshark's modbus.func_code
    // gives them; others by number.
    private static string FunctionName(byte code) => code switch
    {
        1 => "read-coils",
        2 => "read-discrete-inputs",
        3 => "read-holding-registers",
        4 => "read-input-registers",
        5 => "write-single-coil",
        6 => "write-single-register",
        7 => "read-exception-status",
        8 => "diagnostics",
        11 => "get-comm-event-counter",
        12 => "get-comm-event-log",
        15 => "write-multiple-coils",
        16 => "write-multiple-registers",
        17 => "report-server-id",
        20 => "read-file-record",
        21 => "write-file-record",
        22 => "mask-write-register",
        23 => "read-write-multiple-registers",
        24 => "read-fifo-queue",
        43 => "encapsulated-interface-transport",
        _ => FunctionNumbers[code],
    };

    // "function=N" for every code, made once: a detail is never built per packet.
    private static readonly string[] FunctionNumbers = Enumerable.Range(0, 256).Select(code => $"function={code}").ToArray();
}
