using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// RTSP (RFC 2326) on 554 and 8554, over TCP or UDP (the RFC allows either): a request line ending in RTSP/1.0 or an
/// RTSP/1.0 status line. appDetail is the method or status.
/// </summary>
public sealed class RtspInspector() : Inspector(new(AppLabel.Rtsp, AnyTransport, [554, 8554], InspectorPrecision.StartLine, 15) { FirstBytes = Leading([.. PrintableText, (byte)'\t', (byte)'\r']) })
{
    // FirstBytes: printable text, which a start line not yet ended waits on (a line's LF first is none).

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!AsciiText.TryFirstLine(data, out var line))
            return !input.AtLimit && data.Length < 512 && AsciiText.IsPrintable(data) ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!StartLine.TryParse(line, "RTSP/1.0"u8, out var start) || (start.IsRequest && !line.EndsWith(" RTSP/1.0"u8)))
            return InspectResult.NoMatch;
        var text = new AppDetailBuilder(stackalloc char[64]);
        text.AppendEscaped(start.IsRequest ? start.Method : start.Status, 32);
        input.Flow.AppDetail ??= text.Build();
        return InspectResult.Match;
    }
}
