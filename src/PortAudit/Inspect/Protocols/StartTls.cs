using System.Runtime.CompilerServices;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The TLS a text protocol upgrades to (SMTP's and IMAP's STARTTLS, POP3's STLS, FTP's AUTH TLS): after the server's
/// reply its side of the connection is TLS, and the version its hello chose is judged as on a TLS port.
/// </summary>
public static class StartTls
{
    /// <summary>
    /// Reads the server's first handshake message, whose first record starts <paramref name="data"/>: when it is a
    /// ServerHello, <paramref name="flow"/> takes what it settles (<see cref="TlsHello.Settle"/>): the version it chose
    /// (<c>starttls; version=tls1.0</c>), and the weaknesses of a deprecated version or a weak cipher suite; then the
    /// certificate after it (<see cref="ServerCertificate.Judge"/>). <see cref="TlsHandshakeMessage.State.NeedMore"/>
    /// while the hello, or the certificate's first entry, goes on past <paramref name="data"/>, unless this is the
    /// <paramref name="last"/> look.
    /// </summary>
    // The buffer is written before it is read (only its gathered prefix is).
    [SkipLocalsInit]
    public static TlsHandshakeMessage.State ReadServerHello(Flow flow, ReadOnlySpan<byte> data, bool last)
    {
        Span<byte> message = stackalloc byte[Math.Min(data.Length, TlsHandshakeMessage.MaxLength)];
        var state = TlsHandshakeMessage.Read(data, message, out int gathered, out _);
        if (state == TlsHandshakeMessage.State.Complete && gathered > HandshakeHeader && message[0] == ServerHello
            && TlsHello.TryParseServer(message[HandshakeHeader..gathered], out var hello))
        {
            // Read again on every call until the certificate is judged: settling is the same each time.
            hello.Settle(flow);
            if (hello.CertificateFollows) return ServerCertificate.Judge(flow, data, last);
        }
        return state;
    }

    /// <summary>
    /// What the server's side of a flow whose client asked for TLS gives, its TLS beginning at <paramref name="start"/>
    /// (-1 while it has not begun): its hello read with <see cref="ReadServerHello"/>, <see cref="InspectResult.Partial"/>
    /// while more of it, or of its certificate, may come, <see cref="InspectResult.Match"/> once read or at the limits.
    /// </summary>
    public static InspectResult ReadServerSide(ref InspectionInput input, ReadOnlySpan<byte> data, int start)
    {
        if (start < 0) return input.AtLimit ? InspectResult.Match : InspectResult.Partial;
        var state = ReadServerHello(input.Flow, data[start..], input.AtLimit);
        return state == TlsHandshakeMessage.State.NeedMore && !input.AtLimit ? InspectResult.Partial : InspectResult.Match;
    }

    /// <summary>
    /// Where the first TLS handshake record that begins a line of <paramref name="data"/> starts, or -1: the text before
    /// it is the server's replies (its greeting, its capabilities, its answer to STARTTLS).
    /// </summary>
    public static int HandshakeAfterLines(ReadOnlySpan<byte> data)
    {
        for (int at = data.IndexOf((byte)'\n'); at >= 0 && at + 1 < data.Length; )
        {
            var rest = data[(at + 1)..];
            if (StartsHandshake(rest)) return at + 1;
            int next = rest.IndexOf((byte)'\n');
            if (next < 0) return -1;
            at += 1 + next;
        }
        return -1;
    }

    /// <summary>
    /// Where an XMPP server's TLS starts in its side of the stream (RFC 6120 5.4.3.3): right after the end of its
    /// &lt;proceed/&gt; element, where the handshake record must begin; -1 when there is no such element with a record after it yet.
    /// </summary>
    public static int HandshakeAfterProceed(ReadOnlySpan<byte> data)
    {
        int proceed = data.IndexOf("<proceed"u8);
        if (proceed < 0) return -1;
        int end = data[proceed..].IndexOf((byte)'>');
        if (end < 0) return -1;
        int start = proceed + end + 1;
        // <proceed ...></proceed> is the same element written long.
        if (data[start..].StartsWith("</proceed>"u8)) start += "</proceed>"u8.Length;
        return StartsHandshake(data[start..]) ? start : -1;
    }

    /// <summary>
    /// Where the server's TLS starts in its side of <paramref name="flow"/>, upgraded by STARTTLS: after the
    /// &lt;proceed/&gt; of XMPP, after the reply lines of a mail protocol; -1 when it has not started yet.
    /// </summary>
    public static int ServerHandshakeStart(Flow flow, ReadOnlySpan<byte> data) =>
        flow.App == AppLabel.Xmpp ? HandshakeAfterProceed(data) : HandshakeAfterLines(data);

    /// <summary>True when <paramref name="data"/> starts with a TLS handshake record's header.</summary>
    public static bool StartsHandshake(ReadOnlySpan<byte> data) => data.Length > 0 && data[0] == Handshake && TlsInspector.IsRecord(data);

    private const int HandshakeHeader = 4;
    private const byte Handshake = 22, ServerHello = 2;
}
