using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// NetBIOS session service over TCP: a session request with two encoded names, or its answers. When SMB follows,
/// the SMB inspector claims the flow instead, so this one waits for what comes after the session setup.
/// </summary>
public sealed class NetBiosSessionInspector() : Inspector(new(AppLabel.NetBiosSsn, Tcp, [139], InspectorPrecision.Signature, 60) { FirstBytes = Leading(NetBiosSession.Request, NetBiosSession.Positive, NetBiosSession.Negative, NetBiosSession.KeepAlive) })
{
    // FirstBytes: the frame's type (RFC 1002 4.3.1), of the frames read below; a message frame (0x00) is SMB's inspector's.

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp || !NetBiosSession.TryHeader(data, out byte type, out int length)) return InspectResult.NoMatch;
        bool valid = type switch
        {
            NetBiosSession.Request => NetBiosName.IsAt(data, NetBiosSession.Header),
            NetBiosSession.Positive or NetBiosSession.KeepAlive => length == 0,
            NetBiosSession.Negative => length == 1,
            _ => false,
        };
        if (!valid) return InspectResult.NoMatch;
        // The session setup alone: wait to see whether SMB rides on it.
        if (data.Length <= NetBiosSession.Header + length && !input.AtLimit) return InspectResult.NeedMore;
        // What follows the frame opens another (a session message, a keepalive): CQL's answer on 9042, version byte 0x85,
        // begins with a keepalive's bytes (85 00 00 00) and goes on with the rest of its own header.
        var next = data.Length > NetBiosSession.Header + length ? data[(NetBiosSession.Header + length)..] : default;
        if (next.Length >= NetBiosSession.Header && !NetBiosSession.TryHeader(next, out _, out _)) return InspectResult.NoMatch;
        if (next.Length is > 0 and < NetBiosSession.Header && !input.AtLimit) return InspectResult.NeedMore;
        input.Flow.AppDetail ??= type == NetBiosSession.Request ? AppDetail.Word("session-request") : null;
        return InspectResult.Match;
    }
}
