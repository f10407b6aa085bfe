using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Report.Records;

/// <summary>Receives the fields of one flow record in output order; implemented by each output format.</summary>
public interface IFlowFieldSink
{
    /// <summary>A text field, escaped as the format requires; <paramref name="value"/> is valid only during the call.</summary>
    void Text(int field, ReadOnlySpan<char> value);

    /// <summary>
    /// A text field held as a string, which a format may recognise when the next record repeats it (the same string
    /// object): the same as <see cref="Text(int, ReadOnlySpan{char})"/> otherwise.
    /// </summary>
    void Text(int field, string value) => Text(field, value.AsSpan());

    /// <summary>
    /// A text field of printable ASCII that no format needs to quote or escape (times, addresses, Community IDs), as
    /// bytes, so that a format writing UTF-8 copies it as it is; <paramref name="ascii"/> is valid only during the call.
    /// </summary>
    void Verbatim(int field, ReadOnlySpan<byte> ascii)
    {
        Span<char> chars = ascii.Length <= 64 ? stackalloc char[64] : new char[ascii.Length];
        Ascii.ToUtf16(ascii, chars, out int length);
        Text(field, chars[..length]);
    }

    /// <summary>A numeric field.</summary>
    void Number(int field, long value);

    /// <summary>A boolean field: <c>true</c> or <c>false</c> as text to formats without booleans.</summary>
    void Flag(int field, bool value) => Verbatim(field, value ? "true"u8 : "false"u8);

    /// <summary>A field with no value.</summary>
    void Null(int field);

    /// <summary>
    /// A duration in seconds with microseconds, <c>0.500000</c>: a number to formats that have numbers, text to the others
    /// (<see cref="Timestamps"/> keeps microseconds, so more digits would only be zeros).
    /// </summary>
    void Seconds(int field, long nanoseconds)
    {
        Span<byte> text = stackalloc byte[FlowFields.MaxSecondsLength];
        Verbatim(field, text[..FlowFields.FormatSeconds(nanoseconds, text)]);
    }

    /// <summary>
    /// A point in time, <paramref name="nanoseconds"/> since the epoch: ISO 8601 UTC text with microseconds unless the
    /// format has a time type of its own (Zeek's TSV: epoch seconds).
    /// </summary>
    void Time(int field, long nanoseconds)
    {
        Span<byte> text = stackalloc byte[IpAddr.MaxTextLength];
        Verbatim(field, text[..Timestamps.Format(nanoseconds, text)]);
    }

    /// <summary>A list of text values; formats without lists get them joined by '+'.</summary>
    void TextList(int field, IReadOnlyList<string> values) => Text(field, string.Join('+', values));

    /// <summary>
    /// Elements on lines of their own, <paramref name="separator"/> between them (no element holds it): the one text to
    /// formats without lists, a list of the elements to those that have them, so that a query unnests them as it
    /// unnests the store's array.
    /// </summary>
    void Lines(int field, ReadOnlySpan<char> text, char separator) => Text(field, text);
}

/// <summary>
/// Fields a later stage appends to a flow record (the audit's verdict and hosts), numbered on from
/// <c>firstField</c>, so that one writer serves plain and extended records alike.
/// </summary>
public interface IFlowFieldSource
{
    /// <summary>Hands the extra fields to <paramref name="sink"/>, numbered from <paramref name="firstField"/>.</summary>
    void Write<TSink>(TSink sink, int firstField) where TSink : IFlowFieldSink;
}

/// <summary>A plain record's extra fields: none after the flow's own.</summary>
internal readonly struct NoFields : IFlowFieldSource
{
    public void Write<TSink>(TSink sink, int firstField) where TSink : IFlowFieldSink
    {
    }
}

/// <summary>
/// The fields of a flow record in output order, with their camelCase names, shared by every format so that
/// jsonl, csv and table always agree. Values are formatted into a stack buffer: writing a record allocates nothing.
/// </summary>
public static class FlowFields
{
    /// <summary>Field names in output order.</summary>
    public static readonly string[] Names =
    {
        "id", "start", "end", "duration", "transport", "client", "clientPort", "server", "serverPort", "communityId",
        "packetsToServer", "bytesToServer", "packetsToClient", "bytesToClient", "state",
        "app", "appDetail", "rpcInterface", "rpcInterfaceUuid", "rpcSource", "evidence", "recordId",
        "icmpType", "icmpCode", "icmpErrors", "icmpError", "tunnel", "cutOff",
    };

    // Transport and state names come from fixed tables of plain words: held as bytes, they reach the sink as verbatim text.
    private static readonly byte[][] TransportNames =
        Enumerable.Range(0, 256).Select(protocol => Encoding.ASCII.GetBytes(IpProtocol.Name((byte)protocol))).ToArray();
    private static readonly byte[][] EvidenceNames =
        Enum.GetValues<FlowEvidence>().OrderBy(e => (int)e).Select(e => Encoding.ASCII.GetBytes(e.Name())).ToArray();
    private static readonly byte[][] StateNames =
        Enum.GetValues<FlowState>().OrderBy(state => (int)state).Select(state => Encoding.ASCII.GetBytes(state.Name())).ToArray();

    /// <summary>Hands every field of <paramref name="flow"/> to <paramref name="sink"/>, in order.</summary>
    public static void Write(Flow flow, IFlowFieldSink sink) => Write(flow, sink, default);



    /// <summary>
    /// Hands every field of <paramref name="flow"/> to <paramref name="sink"/>, in order, with
    /// <paramref name="communityId"/> as its Community ID when it is not empty: the text
    /// <see cref="CommunityId.FormatMany"/> wrote for it, with the IDs of the flows formatted with it.
    /// </summary>
    public static void Write(Flow flow, IFlowFieldSink sink, ReadOnlySpan<byte> communityId) =>
        Write<IFlowFieldSink>(flow, sink, communityId);

    /// <summary>
    /// As <see cref="Write(Flow, IFlowFieldSink, ReadOnlySpan{byte})"/> for any sink type: given a value type, the calls are
    /// made to its own methods, which the compiler inlines, rather than through the interface for every field (flows.jsonl,
    /// whose records the end of a large capture formats by the hundred thousand).
    /// </summary>
    internal static void Write<TSink>(Flow flow, TSink sink, ReadOnlySpan<byte> communityId) where TSink : IFlowFieldSink
    {
        Span<byte> buffer = stackalloc byte[IpAddr.MaxTextLength];
        sink.Number(0, flow.Id);
        sink.Time(1, flow.StartNs);
        sink.Time(2, flow.EndNs);
        sink.Seconds(3, Math.Max(0, flow.EndNs - flow.StartNs));
        sink.Verbatim(4, TransportNames[flow.Protocol]);
        sink.Verbatim(5, buffer[..flow.Client.Format(buffer)]);
        sink.Number(6, flow.ClientPort);
        sink.Verbatim(7, buffer[..flow.Server.Format(buffer)]);
        sink.Number(8, flow.ServerPort);
        sink.Verbatim(9, communityId.IsEmpty ? buffer[..CommunityId.Format(flow, buffer)] : communityId);
        sink.Number(10, flow.PacketsToServer);
        sink.Number(11, flow.BytesToServer);
        sink.Number(12, flow.PacketsToClient);
        sink.Number(13, flow.BytesToClient);
        sink.Verbatim(14, StateNames[(int)flow.State]);
        Optional(sink, 15, flow.App?.Name);
        Optional(sink, 16, flow.AppDetail);
        Optional(sink, 17, flow.DceRpc?.Name);
        Optional(sink, 18, flow.DceRpc?.Uuid);
        Optional(sink, 19, flow.DceRpc?.Evidence.Name());
        sink.Verbatim(20, EvidenceNames[(int)flow.Evidence]);
        Optional(sink, 21, flow.RecordId);
        WriteIcmp(sink, 22, flow);
        WriteIcmpErrors(sink, Names.Length - 4, flow.IcmpErrors);
        WriteTunnel(sink, Names.Length - 2, flow.Tunnel);
        // Unanswered at the end of input is no failed attempt (SilencePolicy): the record says why for every reader.
        sink.Flag(Names.Length - 1, flow.CutOff);
    }

    // What names the tunnel's own record: its communityId from packets, a record source's ids of it.
    private static void WriteTunnel<TSink>(TSink sink, int field, FlowTunnel? tunnel) where TSink : IFlowFieldSink
    {
        if (tunnel is null) sink.Null(field);
        else sink.Text(field, tunnel.Id);
    }

    // An ICMP flow's ports are 0, its type and code are what tell an echo from an unreachable (Zeek writes them in the
    // port columns); other transports have none, and a 0 there would read as echo-reply. One test per flow, no text.
    private static void WriteIcmp<TSink>(TSink sink, int field, Flow flow) where TSink : IFlowFieldSink
    {
        if (flow.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            sink.Number(field, flow.IcmpType);
            sink.Number(field + 1, flow.IcmpCode);
            return;
        }
        sink.Null(field);
        sink.Null(field + 1);
    }

    // Numbered from the end of the list, so that fields added before them need no renumbering here.
    private static void WriteIcmpErrors<TSink>(TSink sink, int field, in IcmpErrors errors) where TSink : IFlowFieldSink
    {
        sink.Number(field, errors.Count);
        if (errors.Count == 0) sink.Null(field + 1);
        else WriteErrors(sink, field + 1, errors);
    }

    private static void WriteErrors<TSink>(TSink sink, int field, in IcmpErrors errors) where TSink : IFlowFieldSink
    {
        Span<char> text = stackalloc char[IcmpErrors.MaxTextLength];
        sink.Text(field, text[..errors.Format(text)]);
    }

    // The detail holds its formatted text: a record still allocates nothing.
    private static void Optional<TSink>(TSink sink, int field, AppDetail? detail) where TSink : IFlowFieldSink
    {
        if (detail is null) sink.Null(field);
        else sink.Text(field, detail.ToString());
    }

    private static void Optional<TSink>(TSink sink, int field, Guid? uuid) where TSink : IFlowFieldSink
    {
        if (uuid is not { } value) sink.Null(field);
        else WriteUuid(sink, field, value);
    }

    private static void WriteUuid<TSink>(TSink sink, int field, Guid uuid) where TSink : IFlowFieldSink
    {
        Span<char> text = stackalloc char[36];
        if (!uuid.TryFormat(text, out int length, "D")) sink.Null(field);
        else sink.Text(field, text[..length]);
    }

    /// <summary>Longest text of <see cref="FormatSeconds"/>: 19 digits, a point and 6 decimals.</summary>
    public const int MaxSecondsLength = 26;

    /// <summary>Writes <paramref name="nanoseconds"/> as seconds with six decimals ("12.000250"); returns the length.</summary>
    public static int FormatSeconds(long nanoseconds, Span<byte> destination)
    {
        long micros = nanoseconds / 1000;
        System.Buffers.Text.Utf8Formatter.TryFormat(micros / 1_000_000, destination, out int length);
        destination[length] = (byte)'.';
        // Six digits, leading zeros kept, written by hand: no format parsing on the per-flow path.
        long fraction = micros % 1_000_000;
        for (int i = 6; i >= 1; i--, fraction /= 10) destination[length + i] = (byte)('0' + fraction % 10);
        return length + 7;
    }

    /// <summary>A text field that may be absent.</summary>
    internal static void Optional<TSink>(TSink sink, int field, string? value) where TSink : IFlowFieldSink
    {
        if (value is null) sink.Null(field);
        else sink.Text(field, value);
    }
}
