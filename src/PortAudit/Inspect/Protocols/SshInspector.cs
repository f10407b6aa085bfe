using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SSH (RFC 4253 4.2) on any TCP port: each side opens with its identification line, <c>SSH-protoversion-softwareversion
/// [SP comments] CR LF</c>, at most 255 bytes; the server may send other lines before it, none starting with <c>SSH-</c>.
/// The line is a signature by itself (a one-sided capture still names the flow), so SSH tunnelled through a port another
/// protocol is allowed on contradicts that protocol. appDetail is the protocol version and each side's software:
/// <c>version=2.0; client=PuTTY_Release_0.78; server=OpenSSH_9.2p1</c>.
/// </summary>
public sealed class SshInspector() : Inspector(new(AppLabel.Ssh, Tcp, [22], InspectorPrecision.Signature, 240) { UsesScratch = true, Depth = ProbeDepth.Exchange, FirstBytes = Leading(PrintableText) })
{
    // FirstBytes: the client's line starts "SSH-"; the server's lines before its own are text too.
    // RFC 4253 4.2: the identification line's bound, CR LF included; lines the server sends before it are bounded alike.
    private const int MaxLine = 255;
    private const int MaxServerLines = 8;
    private const int MaxSoftware = 64;
    private const ulong ClientRead = 1, ServerRead = 2;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp || data.IsEmpty) return InspectResult.NoMatch;
        var found = FindIdentification(data, input.FromClient, out var line);
        if (found != InspectResult.Match) return input.Settled(found);
        if (!TryRead(line, out var version, out var software)) return InspectResult.NoMatch;
        var detail = input.Scratch != 0 && input.Flow.AppDetail is { } known ? known : AppDetail.Of(new DetailPart("version", AsciiText.Escaped(version, MaxLine)));
        input.Flow.AppDetail = detail.With(new DetailPart(input.FromClient ? "client" : "server", AsciiText.Escaped(software, MaxSoftware)));
        // Either side's line claims the flow; the other side's, when it comes, completes the detail.
        input.Scratch |= input.FromClient ? ClientRead : ServerRead;
        return input.Scratch == (ClientRead | ServerRead) ? InspectResult.Match : InspectResult.Partial;
    }

    // The identification line (without its line end) at the start of the direction, after at most MaxServerLines other
    // lines on the server's side: Match when found, NeedMore while a line is unfinished, NoMatch when the bytes are not it.
    private static InspectResult FindIdentification(ReadOnlySpan<byte> data, bool fromClient, out ReadOnlySpan<byte> line)
    {
        line = default;
        for (int lines = 0; lines <= (fromClient ? 0 : MaxServerLines); lines++)
        {
            int prefix = Math.Min(data.Length, 4);
            bool identification = data[..prefix].SequenceEqual("SSH-"u8[..prefix]);
            // Most flows are ruled out here, by their first byte.
            if (!identification && (fromClient || data[0] is < (byte)' ' or > (byte)'~')) return InspectResult.NoMatch;
            int end = data[..Math.Min(data.Length, MaxLine)].IndexOf((byte)'\n');
            if (end < 0)
                return data.Length < MaxLine && (identification || (!fromClient && AsciiText.IsPrintable(data))) ? InspectResult.NeedMore : InspectResult.NoMatch;
            var text = data[..end];
            if (!text.IsEmpty && text[^1] == '\r') text = text[..^1];
            if (identification && prefix == 4)
            {
                line = text;
                return InspectResult.Match;
            }
            // Only the server may send other lines first, and only text.
            if (fromClient || !AsciiText.IsPrintable(text)) return InspectResult.NoMatch;
            data = data[(end + 1)..];
            if (data.IsEmpty) return InspectResult.NeedMore;
        }
        return InspectResult.NoMatch;
    }

    // SSH-protoversion-softwareversion: protoversion digits and dots (2.0, 1.99, 1.5), softwareversion printable up to
    // the space before optional comments (the RFC forbids minus signs in it; Cisco's "SSH-1.99-Cisco-1.25" has one).
    private static bool TryRead(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> version, out ReadOnlySpan<byte> software)
    {
        software = default;
        var rest = line[4..];
        int dash = rest.IndexOf((byte)'-');
        version = dash > 0 ? rest[..dash] : default;
        if (dash <= 0 || version.IndexOfAnyExcept("0123456789."u8) >= 0 || version[0] == '.') return false;
        software = rest[(dash + 1)..];
        int space = software.IndexOf((byte)' ');
        if (space >= 0) software = software[..space];
        return !software.IsEmpty && software.IndexOfAnyExceptInRange((byte)'!', (byte)'~') < 0;
    }
}
