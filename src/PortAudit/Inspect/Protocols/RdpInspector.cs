using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// RDP's opening ([MS-RDPBCGR] 2.2.1.1/2.2.1.2): a TPKT carrying an X.224 connection request or confirm whose user
/// data is empty, a "Cookie:" or routing token, or an RDP negotiation structure. Other TPKT users (ISO-TSAP) carry
/// TPDU parameters instead and are not claimed.
/// </summary>
public sealed class RdpInspector() : Inspector(new(AppLabel.Rdp, Tcp, [3389], InspectorPrecision.Signature, 120) { FirstBytes = Leading(3) })
{
    // FirstBytes: the TPKT version, 3 (RFC 1006 6).
    private const int Tpkt = 4, X224Fixed = 7;
    private const byte ConnectionRequest = 0xE0, ConnectionConfirm = 0xD0;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp || data.Length < 2 || data[0] != 3 || data[1] != 0) return InspectResult.NoMatch;
        if (data.Length < Tpkt + X224Fixed) return input.Undecided;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int indicator = data[4];
        byte code = (byte)(data[5] & 0xF0);
        if (length < Tpkt + X224Fixed || indicator + 1 != length - Tpkt || (code != ConnectionRequest && code != ConnectionConfirm))
            return InspectResult.NoMatch;
        if (data.Length < length) return input.Undecided;
        var user = data[(Tpkt + X224Fixed)..length];
        if (!IsRdpUserData(user, code)) return InspectResult.NoMatch;
        input.Flow.AppDetail ??= AppDetail.Word(code == ConnectionRequest ? "x224-connect" : "x224-confirm");
        return InspectResult.Match;
    }

    private static bool IsRdpUserData(ReadOnlySpan<byte> user, byte code)
    {
        if (user.IsEmpty) return true;
        if (code == ConnectionRequest && (user.StartsWith("Cookie:"u8) || user.StartsWith("Cookie: "u8))) return true;
        // rdpNegReq (1), rdpNegRsp (2) or rdpNegFailure (3): type, flags, length 8 (little-endian).
        if (user.Length == 8 || (user.Length >= 8 && user[^8] is 1 or 2 or 3))
        {
            var negotiation = user[^8..];
            return negotiation[0] is 1 or 2 or 3 && negotiation[2] == 8 && negotiation[3] == 0;
        }
        return false;
    }
}
