using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Inspect.Sip;

/// <summary>
/// One media description of an SDP body (RFC 8866 m= line) resolved against its session: where the peer wants RTP and
/// RTCP for this stream.
/// </summary>
public readonly ref struct SdpMedia
{
    internal SdpMedia(ReadOnlySpan<byte> kind, bool hasAddress, IpAddr address, ushort port, IpAddr rtcpAddress, ushort rtcpPort,
        ReadOnlySpan<byte> section)
    {
        Kind = kind;
        HasAddress = hasAddress;
        Section = section;
        Address = address;
        Port = port;
        RtcpAddress = rtcpAddress;
        RtcpPort = rtcpPort;
    }

    /// <summary>The media type (audio, video, application...).</summary>
    public ReadOnlySpan<byte> Kind { get; }

    /// <summary>
    /// False when neither the media nor its session gives a connection address (<c>0.0.0.0</c>, a stream on hold or an ICE
    /// offer still gathering): the default announces nothing, its candidates may.
    /// </summary>
    public bool HasAddress { get; }

    /// <summary>The connection address (the media's own c= line, else the session's); meaningful when <see cref="HasAddress"/>.</summary>
    public IpAddr Address { get; }

    /// <summary>The RTP port.</summary>
    public ushort Port { get; }

    /// <summary>Where RTCP goes: the a=rtcp address when it names one, else <see cref="Address"/>.</summary>
    public IpAddr RtcpAddress { get; }

    /// <summary>The RTCP port: a=rtcp's, else the RTP port plus one (RFC 3550 11); 0 when RTCP shares the RTP port (a=rtcp-mux).</summary>
    public ushort RtcpPort { get; }

    /// <summary>The media description's lines after its m= line, up to the next m= or v= line.</summary>
    public ReadOnlySpan<byte> Section { get; }

    /// <summary>The ICE candidates (<c>a=candidate</c>) of this media description.</summary>
    public SdpCandidateReader Candidates => new(Section);
}

/// <summary>
/// Reads the RTP media streams of an SDP body, one <see cref="SdpMedia"/> at a time, without allocating. Several
/// descriptions in one body (a multipart body of alternatives) are read each against its own session lines. Streams
/// that carry no RTP over UDP (T.38's udptl, TCP media) or that are refused (port 0) are skipped; one with no usable
/// connection address (on hold at <c>0.0.0.0</c>, or a host name) is read with <see cref="SdpMedia.HasAddress"/> false,
/// for its ICE candidates.
/// </summary>
public ref struct SdpReader
{
    private ReadOnlySpan<byte> _rest;
    private IpAddr _session;
    private bool _hasSession;

    /// <summary>A reader over <paramref name="body"/>.</summary>
    public SdpReader(ReadOnlySpan<byte> body)
    {
        _rest = body;
        _session = default;
        _hasSession = false;
    }

    /// <summary>The next RTP media stream of the body; false at its end.</summary>
    public bool TryReadNext(out SdpMedia media)
    {
        while (TrySkipToMedia(out var mediaLine))
        {
            bool rtp = TryReadMediaLine(mediaLine, out var kind, out ushort port);
            IpAddr address = _session, rtcpAddress = default;
            bool hasAddress = _hasSession, hasRtcpAddress = false, mux = false;
            ushort rtcpPort = 0;
            var section = _rest;
            while (TryPeekLine(out var line, out int next) && !line.StartsWith("m="u8) && !line.StartsWith("v="u8))
            {
                _rest = _rest[next..];
                if (line.StartsWith("c="u8)) hasAddress = TryConnection(line[2..], out address);
                else if (line.StartsWith("a=rtcp-mux"u8)) mux = true;
                else if (line.StartsWith("a=rtcp:"u8)) TryRtcp(line["a=rtcp:"u8.Length..], ref rtcpPort, ref rtcpAddress, ref hasRtcpAddress);
            }
            if (!rtp) continue;
            if (rtcpPort == 0 && !mux && port < ushort.MaxValue) rtcpPort = (ushort)(port + 1);
            if (mux) rtcpPort = 0;
            section = section[..(section.Length - _rest.Length)];
            media = new SdpMedia(kind, hasAddress, address, port, hasRtcpAddress ? rtcpAddress : address, rtcpPort, section);
            return true;
        }
        media = default;
        return false;
    }

    // Session-level lines up to the next m= line, which is consumed and returned.
    private bool TrySkipToMedia(out ReadOnlySpan<byte> mediaLine)
    {
        while (TryPeekLine(out var line, out int next))
        {
            _rest = _rest[next..];
            if (line.StartsWith("m="u8))
            {
                mediaLine = line;
                return true;
            }
            if (line.StartsWith("v="u8)) _hasSession = false;
            else if (line.StartsWith("c="u8)) _hasSession = TryConnection(line[2..], out _session);
        }
        mediaLine = default;
        return false;
    }

    private readonly bool TryPeekLine(out ReadOnlySpan<byte> line, out int next) => TryPeekLine(_rest, out line, out next);

    /// <summary>The first line of <paramref name="text"/> without its CR LF (or LF); <paramref name="next"/> is where the next starts.</summary>
    internal static bool TryPeekLine(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> line, out int next)
    {
        if (text.IsEmpty)
        {
            line = default;
            next = 0;
            return false;
        }
        int end = text.IndexOf((byte)'\n');
        next = end < 0 ? text.Length : end + 1;
        line = (end < 0 ? text : text[..end]).TrimEnd((byte)'\r');
        return true;
    }

    // m=<media> <port>[/<count>] <proto> <fmt>...
    private static bool TryReadMediaLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> kind, out ushort port)
    {
        port = 0;
        var fields = line[2..];
        int space = fields.IndexOf((byte)' ');
        kind = space > 0 && space <= 16 ? fields[..space] : default;
        if (kind.IsEmpty) return false;
        fields = fields[(space + 1)..];
        space = fields.IndexOf((byte)' ');
        if (space <= 0) return false;
        var portText = fields[..space];
        int slash = portText.IndexOf((byte)'/');
        if (slash >= 0) portText = portText[..slash];
        if (!EndpointText.TryParsePort(portText, out port)) return false;
        var proto = fields[(space + 1)..];
        int end = proto.IndexOf((byte)' ');
        if (end >= 0) proto = proto[..end];
        return proto.IndexOf("RTP/"u8) >= 0 && !AsciiText.StartsWithIgnoreCase(proto, "TCP"u8);
    }

    // c=IN IP4 192.0.2.1[/ttl[/count]]; 0.0.0.0 puts the stream on hold (RFC 3264 8.4).
    private static bool TryConnection(ReadOnlySpan<byte> fields, out IpAddr address)
    {
        address = default;
        if (!fields.StartsWith("IN IP"u8) || fields.Length < 8 || fields[6] != ' ') return false;
        var text = fields[7..];
        int slash = text.IndexOf((byte)'/');
        if (slash >= 0) text = text[..slash];
        return EndpointText.TryParseAddress(text.Trim((byte)' '), out address) && address != IpAddr.FromV4(0) && address != default;
    }

    // a=rtcp:<port> [IN IP4 <address>] (RFC 3605).
    private static void TryRtcp(ReadOnlySpan<byte> value, ref ushort port, ref IpAddr address, ref bool hasAddress)
    {
        int space = value.IndexOf((byte)' ');
        if (!EndpointText.TryParsePort(space < 0 ? value : value[..space], out ushort parsed)) return;
        port = parsed;
        if (space >= 0 && TryConnection(value[(space + 1)..], out var parsedAddress))
        {
            address = parsedAddress;
            hasAddress = true;
        }
    }
}
