using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SIP over UDP or TCP: a request line ending in SIP/2.0 or a SIP/2.0 status line. appDetail holds the method or status,
/// and for a request who placed it (the From header, whole as tshark's sip.From gives it: a display name's comma kept,
/// the ';' before its tag and bytes outside printable ASCII percent-escaped, <see cref="AppDetailBuilder.AppendEscaped"/>),
/// which an auditor needs to tell a trunk from a client. Over UDP each datagram stands alone: one that is no SIP message
/// (damaged, a keep-alive of four zero bytes, or a phone's "hello" before its first request, sip_hello.pcapng's four each
/// way) leaves the flow to the next, through the datagrams a direction is inspected for
/// (<see cref="InspectionLimits.PacketsPerDirection"/>), as tshark reads every datagram.
/// </summary>
public sealed class SipInspector() : Inspector(new(AppLabel.Sip, AnyTransport, [5060, 5061, 5062, 5070, 5080], InspectorPrecision.StartLine, 10) { FirstBytes = Leading([.. PrintableText, (byte)'\t', (byte)'\r', (byte)'\n', 0]) })
{
    /// <summary>Most characters of the From header written to appDetail, escapes included; a longer one is cut there.</summary>
    public const int MaxFromCharacters = 256;

    // FirstBytes: printable text, which a start line not yet ended waits on, or a keep-alive: CR LF (RFC 5626 4.4.1) or
    // four zero bytes, which phones and servers send to hold a NAT binding open (nDPI passes both over).

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        // Keep-alives (RFC 5626: a bare CRLF, or CRLFCRLF) carry no line; wait for a real message.
        var data = input.Data.TrimStart("\r\n"u8);
        if (data.IsEmpty) return input.Undecided;
        if (!AsciiText.TryFirstLine(data, out var line))
            return input.IsTcp && !input.AtLimit && data.Length < 512 && AsciiText.IsPrintable(data) ? InspectResult.NeedMore : NoSip(ref input);
        if (!StartLine.TryParse(line, "SIP/2.0"u8, out var start) || (start.IsRequest && !line.EndsWith("SIP/2.0"u8)))
            return NoSip(ref input);
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

    // Bytes that are no SIP message: a TCP stream is read from its start, so they end it; a datagram says nothing of the
    // next, within the datagrams inspected. Bytes that neither a SIP message nor a keep-alive starts with are turned down
    // (FirstBytes).
    private InspectResult NoSip(ref InspectionInput input) =>
        !input.IsTcp && Descriptor.FirstBytes!.Contains(input.Data[0]) ? input.Undecided : InspectResult.NoMatch;
}
