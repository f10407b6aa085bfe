using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SSDP (UPnP discovery) over UDP 1900: an HTTP-style M-SEARCH or NOTIFY request for "*", or a unicast answer to a search
/// (an HTTP/1.1 status line with an ST or USN header). appDetail is the method or status and the search or notification target.
/// </summary>
public sealed class SsdpInspector() : Inspector(new(AppLabel.Ssdp, Udp, [1900], InspectorPrecision.StartLine, 50) { FirstBytes = Leading((byte)'H', (byte)'M', (byte)'N') })
{
    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || !AsciiText.TryFirstLine(data, out var line)) return InspectResult.NoMatch;
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        ReadOnlySpan<byte> target;
        if (line.SequenceEqual("M-SEARCH * HTTP/1.1"u8))
        {
            text.Append("m-search");
            AsciiText.TryHeader(data, "ST"u8, default, out target);
            text.Part("st");
        }
        else if (line.SequenceEqual("NOTIFY * HTTP/1.1"u8))
        {
            text.Append("notify");
            AsciiText.TryHeader(data, "NT"u8, default, out target);
            text.Part("nt");
        }
        else if (StartLine.TryParse(line, "HTTP/1.1"u8, out var status) && !status.IsRequest
            && (AsciiText.TryHeader(data, "ST"u8, default, out target) || AsciiText.TryHeader(data, "USN"u8, default, out target)))
        {
            text.AppendEscaped(status.Status, 3);
            text.Part("st");
        }
        else return InspectResult.NoMatch;
        text.AppendEscaped(target, 100);
        input.Flow.AppDetail ??= text.Build();
        return InspectResult.Match;
    }
}
