using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// HTTP/1.x request or status line (and the HTTP/2 cleartext preface); method and Host in appDetail, the Host read once
/// the request's head has ended (or at the inspection's limits), however the head was cut into segments. A CONNECT request
/// (RFC 9110 9.3.6) asks the server to act as a proxy and relay a TCP connection to the host and port it names, whatever
/// is spoken through it: the flow is <see cref="AppLabel.HttpProxy"/>, detail <c>CONNECT; target=pastebin.com:443</c>,
/// and the server's status line, when it comes, adds <c>reply=200</c> (a tunnel opened) or the refusal's code. A request
/// in absolute form (<c>GET http://host/</c>) stays http: clients send it to proxies, but an origin server must accept it
/// too (RFC 9112 3.2.2), so it proves no proxy; its Host names the site. A status line that comes before any request
/// (a capture that began after the request, or holds one side only) answers a request the flow does not show: it claims
/// the flow and the request the other side sends next, within the bytes inspected, gives the detail; when none comes the
/// detail is the status marked <c>request-unseen</c>.
/// </summary>
public sealed class HttpInspector() : Inspector(new(AppLabel.Http, Tcp, [80, 8080, 8000, 3128, 593], InspectorPrecision.StartLine, 20)
{
    Depth = ProbeDepth.Exchange,
    UsesScratch = true,
    Produces = [AppLabel.Http, AppLabel.HttpProxy],
    // A known method's first letter, a status line's "HTTP/" or the HTTP/2 preface's "PRI", all compared in upper case.
    FirstBytes = Leading([.. Methods.Select(method => method[0]), (byte)'H', (byte)'P']),
})
{
    /// <summary>
    /// Characters of a CONNECT's target the detail keeps: a longer one is cut there. The target is a host and port
    /// (authority form): a name is at most 253 bytes, the port 5 digits.
    /// </summary>
    public const int MaxTarget = 262;

    /// <summary>Characters of a request's Host the detail keeps: a longer one is cut there.</summary>
    public const int MaxHost = 100;
    // Answers read in the server's stream: interim ones and a demand for credentials, then the one that settles.
    private const int MaxAnswers = 4;
    private const string ReplyKey = "reply";
    // Scratch bits: the client's request line was read and its head is awaited; a status line came first (from the flow's
    // client when the next bit is set), so the request that follows on the other side is awaited for the detail. Above
    // them, when the server answered first, how many of its bytes came before the client's request: answers to requests
    // the capture does not hold, which a CONNECT's reply is read past.
    private const ulong HeadAwaited = 1, AfterResponse = 2, ResponseFromClient = 4;
    private const int AnsweredShift = 8;
    private const string RequestUnseen = "request-unseen";
    private static readonly byte[] ConnectMethod = "CONNECT"u8.ToArray();

    private static readonly byte[][] Methods =
    {
        "GET"u8.ToArray(), "POST"u8.ToArray(), "HEAD"u8.ToArray(), "PUT"u8.ToArray(), "DELETE"u8.ToArray(),
        "OPTIONS"u8.ToArray(), "CONNECT"u8.ToArray(), "TRACE"u8.ToArray(), "PATCH"u8.ToArray(),
        "PROPFIND"u8.ToArray(), "PROPPATCH"u8.ToArray(), "MKCOL"u8.ToArray(), "COPY"u8.ToArray(), "MOVE"u8.ToArray(),
        "LOCK"u8.ToArray(), "UNLOCK"u8.ToArray(), "REPORT"u8.ToArray(), "SEARCH"u8.ToArray(),
        "RPC_IN_DATA"u8.ToArray(), "RPC_OUT_DATA"u8.ToArray(), "SSTP_DUPLEX_POST"u8.ToArray(),
    };

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        // Claimed by a CONNECT: the client's stream is shown again from its request, the server's from its answer.
        if (input.Flow.App == AppLabel.HttpProxy) return input.FromClient ? InspectResult.Partial : Reply(ref input);
        if (data.StartsWith("PRI * HTTP/2.0"u8))
        {
            input.Flow.AppDetail = AppDetail.Word("h2c");
            return InspectResult.Match;
        }
        if (!AsciiText.TryFirstLine(data, out var line))
            return !input.AtLimit && data.Length < 2048 && CouldStart(data) ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!StartLine.TryParse(line, "HTTP/1."u8, out var start)) return InspectResult.NoMatch;
        bool afterResponse = (input.Scratch & AfterResponse) != 0;
        if (!start.IsRequest)
        {
            // Claimed by a status line that came first: its side's later bytes add nothing, and the other side's request
            // is awaited until either side reaches the inspection's limits. That side answering too is no request.
            if (afterResponse)
            {
                if (input.FromClient != ((input.Scratch & ResponseFromClient) != 0)) return InspectResult.NoMatch;
                NoteAnswered(ref input, !input.FromClient);
                return input.AtLimit ? InspectResult.Match : InspectResult.Partial;
            }
            // The answer to a request whose head is still coming (a lossy capture: a client's segment missing) does
            // not settle the flow before the request's own detail.
            if ((input.Scratch & HeadAwaited) != 0) return input.Undecided;
            // No request came before it: the status answers one the capture does not hold, and says so. Only a server
            // sends a status line: a flow whose sides the ports guessed (a proxy on 3128 or 8080 whose answer was the
            // first packet seen) turns, and the status's side is the server's from here on.
            bool turns = SidesGuessed(input) && input.FromClient;
            if (SidesGuessed(input)) input.SentByClient = false;
            input.Flow.AppDetail ??= StatusDetail(start.Status);
            input.Scratch = AfterResponse | (input.FromClient && !turns ? ResponseFromClient : 0);
            NoteAnswered(ref input, !input.FromClient || turns);
            return input.AtLimit ? InspectResult.Match : InspectResult.Partial;
        }
        if (!IsMethod(start.Method)) return InspectResult.NoMatch;
        // Only a client sends a request: one from the side the ports took for the server turns the flow.
        if (SidesGuessed(input)) input.SentByClient = true;
        if (start.Method.SequenceEqual(ConnectMethod))
        {
            input.Flow.App = AppLabel.HttpProxy;
            input.Flow.AppDetail = ConnectDetail(start.Target);
            return InspectResult.Partial;
        }
        // The Host header is read from the request's head once it has ended, so that a head cut into segments of a few
        // bytes gives the detail it gives sent whole (tshark's http.host); at the limits (the bytes inspected, a gap, the
        // flow's end) from the lines whole by then, a line cut short being no header.
        var wholeLines = data[..(data.LastIndexOf((byte)'\n') + 1)];
        if (!input.AtLimit && !HeadEnded(data))
        {
            input.Scratch |= HeadAwaited;
            // After a status line the answering side may reach its limits first and end the inspection: the request's
            // detail stands from the lines whole so far, in place of the status.
            if (afterResponse) input.Flow.AppDetail = Detail(start.Method, wholeLines);
            return InspectResult.NeedMore;
        }
        input.Flow.AppDetail = Detail(start.Method, wholeLines);
        return InspectResult.Match;
    }

    // True when neither an opening nor content named the flow's sides: the ports guessed them.
    private static bool SidesGuessed(in InspectionInput input) => input.Flow.Sides == FlowSides.Ports;

    // The server's bytes so far, all sent before the client's first request was read: a reply to that request comes after them.
    private static void NoteAnswered(ref InspectionInput input, bool fromServer)
    {
        if (fromServer) input.Scratch = (input.Scratch & ((1UL << AnsweredShift) - 1)) | ((ulong)input.Data.Length << AnsweredShift);
    }

    // An empty line ends the head (RFC 9112 2.1; a bare LF ends a line too, as TryHeader reads them).
    private static bool HeadEnded(ReadOnlySpan<byte> data) => data.IndexOf("\n\r\n"u8) >= 0 || data.IndexOf("\n\n"u8) >= 0;

    // The proxy's answer to CONNECT: its status code joins the detail. An interim answer (1xx) or a demand for credentials
    // (407, after which the client may ask again on the same connection) is passed over for the answer after it, while it
    // is in the bytes inspected: a tunnel opened on the second request is reply=200, not the 407 before it. Answers the
    // server sent before the CONNECT was read (a capture joined after an earlier request) are no reply to it. Anything but
    // a status line from the server leaves the detail as it stands.
    private static InspectResult Reply(ref InspectionInput input)
    {
        var data = input.Data;
        data = data[Math.Min(data.Length, (int)(input.Scratch >> AnsweredShift))..];
        for (int answer = 0; answer < MaxAnswers; answer++)
        {
            if (!AsciiText.TryFirstLine(data, out var line))
                return data.Length < 2048 && CouldStartStatus(data) ? input.Undecided : InspectResult.Match;
            if (!StartLine.TryParse(line, "HTTP/1."u8, out var status) || status.IsRequest || input.Flow.AppDetail is not { } request)
                return InspectResult.Match;
            input.Flow.AppDetail = request.With(new DetailPart(ReplyKey, AsciiText.Escaped(status.Status, 3)));
            if (!IsPassedOver(status.Status)) return InspectResult.Match;
            int next = NextAnswer(data);
            if (next < 0) return input.Undecided;
            data = data[next..];
        }
        return InspectResult.Match;
    }

    private static bool IsPassedOver(ReadOnlySpan<byte> code) => code[0] == (byte)'1' || code.SequenceEqual("407"u8);

    // Where the answer after the one <paramref name="data"/> starts with begins: past its head and the body its
    // Content-Length gives; -1 while they are not all here, or when the length cannot be read.
    private static int NextAnswer(ReadOnlySpan<byte> data)
    {
        int head = data.IndexOf("\r\n\r\n"u8);
        if (head < 0) return -1;
        long body = 0;
        if (AsciiText.TryHeader(data[..(head + 2)], "Content-Length"u8, default, out var length)
            && !(System.Buffers.Text.Utf8Parser.TryParse(length, out body, out int used) && used == length.Length && body >= 0))
            return -1;
        long next = head + 4 + body;
        return next < data.Length ? (int)next : -1;
    }

    private static AppDetail? ConnectDetail(ReadOnlySpan<byte> target)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.AppendEscaped(ConnectMethod, ConnectMethod.Length);
        text.Part(DetailKeys.ProxyTarget);
        text.AppendEscaped(target, MaxTarget);
        return text.Build();
    }

    private static bool CouldStart(ReadOnlySpan<byte> data)
    {
        if (CouldStartStatus(data)) return true;
        foreach (var method in Methods)
        {
            if (data.Length > method.Length ? data.StartsWith(method) && data[method.Length] == ' ' : method.AsSpan().StartsWith(data))
                return true;
        }
        return false;
    }

    private static bool CouldStartStatus(ReadOnlySpan<byte> data) => data.StartsWith("HTTP/"u8) || "HTTP/"u8.StartsWith(data);

    private static bool IsMethod(ReadOnlySpan<byte> method)
    {
        foreach (var known in Methods)
            if (method.SequenceEqual(known)) return true;
        return false;
    }

    private static AppDetail? StatusDetail(ReadOnlySpan<byte> code)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.AppendEscaped(code, 3);
        text.Part(null);
        text.Append(RequestUnseen);
        return text.Build();
    }

    private static AppDetail? Detail(ReadOnlySpan<byte> method, ReadOnlySpan<byte> data)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.AppendEscaped(method, 128);
        if (AsciiText.TryHeader(data, "Host"u8, default, out var host))
        {
            text.Part(DetailKeys.Host);
            text.AppendEscaped(host, MaxHost);
        }
        return text.Build();
    }
}
