using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>Receives the fields of one flow record in output order; implemented by each output format.</summary>
public interface IFlowFieldSink
{
    /// <summary>A text field; <paramref name="value"/> is valid only during the call.</summary>
    void Text(int field, ReadOnlySpan<char> value);

    /// <summary>A numeric field.</summary>
    void Number(int field, long value);

    /// <summary>A field with no value.</summary>
    void Null(int field);

    /// <summary>A list of text values; formats without lists get them joined by '+'.</summary>
    void TextList(int field, IReadOnlyList<string> values) => Text(field, string.Join('+', values));
}

/// <summary>
/// Fields a later stage appends to a flow record (the audit's verdict and hosts), numbered on from
/// <c>firstField</c>, so that one writer serves plain and extended records alike.
/// </summary>
public interface IFlowFieldSource
{
    /// <summary>Hands the extra fields to <paramref name="sink"/>, numbered from <paramref name="firstField"/>.</summary>
    void Write(IFlowFieldSink sink, int firstField);
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
        "start", "end", "transport", "client", "clientPort", "server", "serverPort",
        "packetsToServer", "bytesToServer", "packetsToClient", "bytesToClient", "state",
        "app", "appDetail", "rpcInterface", "rpcInterfaceUuid", "rpcSource",
    };

    /// <summary>Hands every field of <paramref name="flow"/> to <paramref name="sink"/>, in order.</summary>
    public static void Write(Flow flow, IFlowFieldSink sink)
    {
        Span<char> buffer = stackalloc char[64];
        sink.Text(0, buffer[..Timestamps.Format(flow.StartNs, buffer)]);
        sink.Text(1, buffer[..Timestamps.Format(flow.EndNs, buffer)]);
        sink.Text(2, flow.Transport);
        sink.Text(3, buffer[..flow.Client.Format(buffer)]);
        sink.Number(4, flow.ClientPort);
        sink.Text(5, buffer[..flow.Server.Format(buffer)]);
        sink.Number(6, flow.ServerPort);
        sink.Number(7, flow.PacketsToServer);
        sink.Number(8, flow.BytesToServer);
        sink.Number(9, flow.PacketsToClient);
        sink.Number(10, flow.BytesToClient);
        sink.Text(11, flow.State.Name());
        Optional(sink, 12, flow.App);
        Optional(sink, 13, flow.AppDetail);
        Optional(sink, 14, flow.RpcInterface);
        Optional(sink, 15, flow.RpcInterfaceUuid);
        Optional(sink, 16, flow.RpcSource);
    }

    /// <summary>A text field that may be absent.</summary>
    internal static void Optional(IFlowFieldSink sink, int field, string? value)
    {
        if (value is null) sink.Null(field);
        else sink.Text(field, value);
    }
}
