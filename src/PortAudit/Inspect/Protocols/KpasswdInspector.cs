using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Kerberos change and set password (RFC 3244) on 464, UDP or TCP (with its 4-byte length): a message length that fits,
/// version 1 (change) or 0xff80 (set), and an AP-REQ; the server's reply carries an AP-REP, or a KRB-ERROR alone, and
/// confirms the request.
/// </summary>
public sealed class KpasswdInspector() : Inspector(new(AppLabel.Kpasswd, AnyTransport, [464], InspectorPrecision.Signature, 180) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Header = 6;
    private const byte ApReq = 0x6E, ApRep = 0x6F, KrbError = 0x7E;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var message = input.Data;
        if (input.IsTcp)
        {
            if (message.Length < 4 + Header) return input.AtLimit || message.Length >= 4 && message[0] != 0 ? InspectResult.NoMatch : InspectResult.NeedMore;
            if (BinaryPrimitives.ReadUInt32BigEndian(message) > 64 * 1024) return ServerConfirmation.Denied(ref input);
            message = message[4..];
        }
        if (message.Length < Header + 2) return ServerConfirmation.Denied(ref input);
        int length = BinaryPrimitives.ReadUInt16BigEndian(message);
        ushort version = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int apLength = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        bool framed = input.IsTcp ? length >= Header + apLength : length == message.Length;
        if (!framed || version is not (1 or 0xFF80) || Header + apLength > length) return ServerConfirmation.Denied(ref input);
        byte tag = message[Header];
        if (input.FromClient)
        {
            if (apLength == 0 || tag != ApReq) return InspectResult.NoMatch;
            var result = ServerConfirmation.Client(ref input, version);
            if (result == InspectResult.Match) input.Flow.AppDetail ??= Request(version);
            return result;
        }
        if (apLength == 0 ? tag != KrbError : tag != ApRep) return ServerConfirmation.Denied(ref input);
        input.Flow.AppDetail ??= ServerConfirmation.ClientNote(input) is var asked and not 0
            ? Request(asked).With(new DetailPart(null, apLength == 0 ? "error" : "reply"))
            : AppDetail.Word(apLength == 0 ? "error" : "reply");
        return InspectResult.Match;
    }

    private static AppDetail Request(uint version) => AppDetail.Word(version == 1 ? "change-password" : "set-password");
}
