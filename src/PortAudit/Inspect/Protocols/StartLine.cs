using PortAudit.Common;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The first line of an HTTP-style message (HTTP, SIP): either "METHOD target VERSION" or "VERSION code reason".
/// </summary>
public readonly ref struct StartLine
{
    private StartLine(bool isRequest, ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, ReadOnlySpan<byte> status)
    {
        IsRequest = isRequest;
        Method = method;
        Target = target;
        Status = status;
    }

    /// <summary>True for a request line.</summary>
    public bool IsRequest { get; }

    /// <summary>The request method.</summary>
    public ReadOnlySpan<byte> Method { get; }

    /// <summary>The request target (a path, an absolute URI, or CONNECT's host and port).</summary>
    public ReadOnlySpan<byte> Target { get; }

    /// <summary>The three-digit status code of a status line.</summary>
    public ReadOnlySpan<byte> Status { get; }

    /// <summary>Parses <paramref name="line"/> for a protocol whose version starts with <paramref name="version"/> ("SIP/2.0", "HTTP/1.").</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, ReadOnlySpan<byte> version, out StartLine result)
    {
        result = default;
        if (line.StartsWith(version))
        {
            int space = line.IndexOf((byte)' ');
            if (space < 0 || line.Length < space + 4) return false;
            var code = line.Slice(space + 1, 3);
            if (!IsDigits(code) || code[0] < '1' || code[0] > '6' || (line.Length > space + 4 && line[space + 4] != ' ')) return false;
            result = new StartLine(false, default, default, code);
            return true;
        }
        int first = line.IndexOf((byte)' ');
        int last = line.LastIndexOf((byte)' ');
        if (first <= 0 || last <= first + 1) return false;
        var method = line[..first];
        var tail = line[(last + 1)..];
        if (!AsciiText.IsToken(method) || !tail.StartsWith(version)) return false;
        foreach (byte b in method)
            if (b is < (byte)'A' or > (byte)'Z' and not (byte)'-' and not (byte)'_') return false;
        result = new StartLine(true, method, line[(first + 1)..last], default);
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
            if (b is < (byte)'0' or > (byte)'9') return false;
        return true;
    }
}
