using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Siemens S7comm on TCP 102: TPKT frames (RFC 1006: version 3, a reserved 0, the frame's length) of ISO 8073 COTP,
/// whose data TPDUs (length indicator 2, code 0xF0) carry S7 PDUs: protocol id 0x32, a message type (ROSCTR: 1 job,
/// 2 ack, 3 ack-data, 7 userdata), a zero redundancy id, and parameter and data lengths that with the header (12 bytes
/// for an ack, 10 otherwise) make up the TPDU's payload. The connection request and confirm before them are COTP's alone
/// and passed over; a data TPDU that carries anything else (MMS's ISO session, X.400) is no S7comm, nor is another TPDU.
/// </summary>
public sealed class S7commInspector() : Inspector(new(AppLabel.S7comm, Tcp, [102], InspectorPrecision.Signature, 310) { FirstBytes = Leading(Tpkt) })
{
    private const byte Tpkt = 3, DataTpdu = 0xF0, ConnectionRequest = 0xE0, ConnectionConfirm = 0xD0, ProtocolId = 0x32;
    private const int TpktHeader = 4, DataHeader = TpktHeader + 3, S7Header = 10, S7AckHeader = 12;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp || (data.Length > 0 && data[0] != Tpkt)) return InspectResult.NoMatch;
        while (data.Length >= TpktHeader)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (data[0] != Tpkt || data[1] != 0 || length < DataHeader) return InspectResult.NoMatch;
            if (data.Length < DataHeader) break;
            int indicator = data[4];
            byte code = (byte)(data[5] & 0xF0);
            if (indicator + 5 > length) return InspectResult.NoMatch;
            bool dataTpdu = data[5] == DataTpdu && indicator == 2;
            if (!dataTpdu && !(code is ConnectionRequest or ConnectionConfirm && indicator >= 6)) return InspectResult.NoMatch;
            if (dataTpdu && length > DataHeader)
            {
                if (data.Length < DataHeader + S7AckHeader) break;
                var pdu = data[DataHeader..];
                if (pdu[0] != ProtocolId) return InspectResult.NoMatch;
                byte type = pdu[1];
                int header = type is 2 or 3 ? S7AckHeader : S7Header;
                if (type is not (1 or 2 or 3 or 7) || pdu[2] != 0 || pdu[3] != 0) return InspectResult.NoMatch;
                int parts = header + BinaryPrimitives.ReadUInt16BigEndian(pdu[6..]) + BinaryPrimitives.ReadUInt16BigEndian(pdu[8..]);
                // A TPDU that ends the PDU (EOT) holds it whole; one that does not, its first part.
                bool ends = (data[6] & 0x80) != 0;
                if (ends ? parts != length - DataHeader : parts < length - DataHeader) return InspectResult.NoMatch;
                input.Flow.AppDetail ??= AppDetail.Word(type switch { 1 => "job", 2 => "ack", 3 => "ack-data", _ => "userdata" });
                return InspectResult.Match;
            }
            if (data.Length < length) break;
            data = data[length..];
        }
        return input.Undecided;
    }
}
