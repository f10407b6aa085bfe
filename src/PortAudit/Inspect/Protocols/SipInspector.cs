using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SIP over UDP or TCP: a request line ending in SIP/2.0 or a SIP/2.0 status line. appDetail holds the method or status,
/// and for a request who placed it (the From header, whole as tshark's sip.From gives it: a display name's comma kept,
/// the ';' before its tag and bytes outside printable ASCII percent-escaped, <see cref="AppDetailBuilder.AppendEscaped"/>),
/// which an auditor needs to tell a trunk from a client.
/// </summary>
public sealed class SipInspector() : Inspector(new(AppLabel.Sip, AnyTransport, [5060, 5061, 5062, 5070, 5080], InspectorPrecision.StartLine, 10) { FirstBytes = Leading([.. PrintableText, (byte)'\t', (byte)'\r', (byte)'\n']) })
{
    /// <summary>Most characters of the From header written to appDetail, escapes included; a longer one is cut there.</summary>
    public const int MaxFromCharacters = 256;

    // FirstBytes: printable text, which a start line not yet ended waits on, or a keep-alive's CR LF (RFC 5626 4.4.1).

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        // Keep-alives (RFC 5626: a bare CRLF, or CRLFCRLF) carry no line; wait for a real message.
        var data = input.Data.TrimStart("\r\n"u8);
        if (data.IsEmpty) return input.Undecided;
        if (!AsciiText.TryFirstLine(data, out var line))
            return input.IsTcp && !input.AtLimit && data.Length < 512 && AsciiText.IsPrintable(data) ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!StartLine.TryParse(line, "SIP/2.0"u8, out var start) || (start.IsRequest && !line.EndsWith("SIP/2.0"u8)))
            return InspectResult.NoMatch;
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.AppendEscaped(start.IsRequest ? start.Method : start.Status, 32);
        if (start.IsRequest && AsciiText.TryHeader(data, "From"u8, "f"u8, out var from))
        {
            text.Part("from");
            text.AppendEscaped(from, MaxFromCharacters);
        }
        input.Flow.AppDetail = text.Build();
        return InspectResult.Match;
    }
}
