using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>HTTP/1.x request or status line (and the HTTP/2 cleartext preface); method and Host in appDetail.</summary>
public sealed class HttpInspector() : Inspector(new(AppLabel.Http, Tcp, [80, 8080, 8000, 3128, 593], InspectorPrecision.StartLine, 20))
{
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
        if (data.StartsWith("PRI * HTTP/2.0"u8))
        {
            input.Flow.AppDetail = AppDetail.Word("h2c");
            return InspectResult.Match;
        }
        if (!AsciiText.TryFirstLine(data, out var line))
            return !input.AtLimit && data.Length < 2048 && CouldStart(data) ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!StartLine.TryParse(line, "HTTP/1."u8, out var start)) return InspectResult.NoMatch;
        if (!start.IsRequest)
        {
            input.Flow.AppDetail ??= AppDetail.Of(AsciiText.Printable(start.Status));
            return InspectResult.Match;
        }
        if (!IsMethod(start.Method)) return InspectResult.NoMatch;
        input.Flow.AppDetail = Detail(start.Method, data);
        return InspectResult.Match;
    }

    private static bool CouldStart(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("HTTP/"u8) || "HTTP/"u8.StartsWith(data)) return true;
        foreach (var method in Methods)
        {
            if (data.Length > method.Length ? data.StartsWith(method) && data[method.Length] == ' ' : method.AsSpan().StartsWith(data))
                return true;
        }
        return false;
    }

    private static bool IsMethod(ReadOnlySpan<byte> method)
    {
        foreach (var known in Methods)
            if (method.SequenceEqual(known)) return true;
        return false;
    }

    private static AppDetail? Detail(ReadOnlySpan<byte> method, ReadOnlySpan<byte> data)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.AppendPrintable(method, 128);
        if (AsciiText.TryHeader(data, "Host"u8, default, out var host))
        {
            text.Part("host");
            text.AppendPrintable(host, 100);
        }
        return text.Build();
    }
}
