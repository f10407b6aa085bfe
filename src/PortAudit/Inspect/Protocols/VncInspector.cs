using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// VNC (RFB, RFC 6143 7.1.1) on TCP 5900-5903: the server speaks first, "RFB xxx.yyy\n"; the client's echo of a version
/// waits for the server's. appDetail is the server's version.
/// </summary>
public sealed class VncInspector() : Inspector(new(AppLabel.Vnc, Tcp, [5900, 5901, 5902, 5903], InspectorPrecision.Signature, 230) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Greeting = 12;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        if (data.Length < Greeting)
            return !input.AtLimit && "RFB "u8.StartsWith(data[..Math.Min(data.Length, 4)]) ? InspectResult.NeedMore : ServerConfirmation.Denied(ref input);
        if (!IsVersion(data[..Greeting])) return ServerConfirmation.Denied(ref input);
        if (input.FromClient) return ServerConfirmation.Client(ref input, enoughAlone: false);
        var text = new AppDetailBuilder(stackalloc char[32]);
        text.Part("version");
        text.AppendEscaped(data[4..11], 7);
        input.Flow.AppDetail = text.Build();
        return InspectResult.Match;
    }

    private static bool IsVersion(ReadOnlySpan<byte> line) =>
        line.StartsWith("RFB "u8) && line[11] == '\n' && line[7] == '.'
        && line[4..7].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0 && line[8..11].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
}
