using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// XMPP (RFC 6120): a stream header, optionally after an XML declaration, in the jabber:client or jabber:server
/// namespace (appDetail "client" or "server"); a later &lt;starttls/&gt; adds "; starttls", and the server's TLS
/// hello after its &lt;proceed/&gt; (RFC 6120 5.4.3.3) the version it chose and its certificate, judged as on a TLS
/// port (<see cref="StartTls"/>: a Lync Edge server's XMPP federation on 5269 upgrades this way). Midstream, a stanza
/// ("stanza") or the stream's closing tag ("stream-end", RFC 6120 4.4: a capture joined as the stream closed).
/// </summary>
public sealed class XmppInspector() : Inspector(new(AppLabel.Xmpp, Tcp, [5222, 5269, 5280], InspectorPrecision.StartLine, 40) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Window = 1024;
    // Scratch: the stream header was read; the client asked for TLS.
    private const ulong Header = 1, StartTlsAsked = 2;

    // The stream's closing tag (RFC 6120 4.4), all a capture joined as the stream closes may hold of it.
    private static ReadOnlySpan<byte> StreamEnd => "</stream:stream>"u8;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data.TrimStart(" \r\n\t"u8);
        if (!input.IsTcp || data.IsEmpty || data[0] != '<') return input.Scratch != 0 ? InspectResult.Match : InspectResult.NoMatch;
        var window = data[..Math.Min(Window, data.Length)];
        int header = window.IndexOf("<stream:stream"u8);
        if (header < 0)
        {
            if (input.Scratch != 0) return InspectResult.Partial;
            if (IsStanza(window))
            {
                input.Flow.AppDetail = AppDetail.Word("stanza");
                return InspectResult.Match;
            }
            if (window.StartsWith(StreamEnd))
            {
                input.Flow.AppDetail = AppDetail.Word("stream-end");
                return InspectResult.Match;
            }
            return !input.AtLimit && data.Length < Window && (data.StartsWith("<?xml"u8) || "<?xml"u8.StartsWith(data) || "<stream:stream"u8.StartsWith(data) || StreamEnd.StartsWith(data))
                ? InspectResult.NeedMore : InspectResult.NoMatch;
        }
        if (input.Scratch == 0)
        {
            // The namespace may come after the segment that opened the header: the header is read once its tag has ended
            // (or at the limits, as far as it came), as tshark reassembles it.
            if (window[header..].IndexOf((byte)'>') < 0 && !input.AtLimit && data.Length < Window) return InspectResult.NeedMore;
            input.Flow.AppDetail = AppDetail.Word(window.IndexOf("jabber:server"u8) >= 0 ? "server" : "client");
            input.Scratch = Header;
        }
        if ((input.Scratch & StartTlsAsked) != 0) return input.FromClient ? InspectResult.Partial : AfterStartTls(ref input, data);
        if (input.FromClient && data.IndexOf("<starttls"u8) >= 0)
        {
            input.Flow.AppDetail = input.Flow.AppDetail?.With(new(null, DetailKeys.StartTls)) ?? AppDetail.Word(DetailKeys.StartTls);
            input.Scratch |= StartTlsAsked;
        }
        // The server's answer, and its TLS hello after a proceed, are still to come.
        return InspectResult.Partial;
    }

    // The server's side once the client asked for TLS: its features, then <proceed/> and the TLS handshake, or
    // <failure/>. Its first message, once whole, is read; anything there ends the reading.
    private static InspectResult AfterStartTls(ref InspectionInput input, ReadOnlySpan<byte> data)
    {
        int start = StartTls.HandshakeAfterProceed(data);
        return start < 0 && data.IndexOf("<failure"u8) >= 0 ? InspectResult.Match : StartTls.ReadServerSide(ref input, data, start);
    }

    // Midstream, the stream header is gone but stanzas still show themselves: a top-level element with addressing attributes.
    private static bool IsStanza(ReadOnlySpan<byte> window) =>
        (window.StartsWith("<presence"u8) || window.StartsWith("<message "u8) || window.StartsWith("<iq "u8))
        && (window.IndexOf(" to='"u8) >= 0 || window.IndexOf(" to=\""u8) >= 0 || window.IndexOf(" from='"u8) >= 0 || window.IndexOf(" from=\""u8) >= 0);
}
