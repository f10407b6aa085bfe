using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Sip;

/// <summary>
/// Reads a cleartext SIP flow past its first message for the SDP offers and answers it carries (RFC 3264): each RTP
/// media stream is expected at its address and port as rtp, and its RTCP at a=rtcp's port or the next one as rtcp,
/// attributed to the call by its Call-ID; so is each ICE candidate the agent may receive on (RFC 8839: component 1 as
/// rtp, 2 as rtcp; UDP, and TCP passive or simultaneous-open), up to <see cref="MaxCandidatesPerBody"/> per body.
/// Bounded in messages and in head length; over TCP, messages are framed by Content-Length (RFC 3261 18.3).
/// </summary>
public sealed class SipMediaFollower : IFlowFollower
{
    /// <summary>SIP messages read per flow, both ways; past it the flow is let go.</summary>
    public const int MaxMessages = 1024;

    /// <summary>
    /// ICE candidates announced per SDP body, over all its media and alternatives; the rest are ignored, so that a body
    /// of hostile text cannot fill the table of announcements. A Lync or browser offer has a few per component: host,
    /// server-reflexive and relayed, UDP and TCP, for each interface.
    /// </summary>
    public const int MaxCandidatesPerBody = 64;

    // A head longer than this is no SIP a phone or proxy sends.
    private const int MaxHead = 16 * 1024;
    private readonly AnnouncedConnections _announced;
    private int _messages;
    private bool _done;

    private SipMediaFollower(AnnouncedConnections announced) => _announced = announced;

    /// <summary>A follower for <paramref name="flow"/> when it is cleartext SIP, else null.</summary>
    public static IFlowFollower? For(Flow flow, AnnouncedConnections announced) =>
        flow.App == AppLabel.Sip ? new SipMediaFollower(announced) : null;

    /// <inheritdoc />
    public bool Finished => _done || _messages >= MaxMessages;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        while (!Finished)
        {
            var data = stream.Data;
            // Keep-alives (RFC 5626) between messages.
            int blank = data.Length - data.TrimStart("\r\n"u8).Length;
            if (blank > 0)
            {
                stream.Consume(blank);
                continue;
            }
            int headEnd = data.IndexOf("\r\n\r\n"u8);
            if (headEnd < 0)
            {
                if (data.Length > MaxHead) _done = true;
                return;
            }
            var head = data[..(headEnd + 2)];
            int bodyLength = 0;
            if (AsciiText.TryHeader(head, "Content-Length"u8, "l"u8, out var lengthText))
            {
                // Over a stream the length is the only framing: one that cannot be read ends the reading.
                if (!EndpointText.TryParsePort(lengthText, out ushort length) && !lengthText.SequenceEqual("0"u8))
                {
                    _done = true;
                    return;
                }
                bodyLength = length;
            }
            int total = headEnd + 4 + bodyLength;
            if (total > data.Length)
            {
                if (total > stream.Capacity) _done = true;
                return;
            }
            OnMessage(flow, head, data.Slice(headEnd + 4, bodyLength));
            stream.Consume(total);
        }
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
        if (Finished) return;
        int headEnd = datagram.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            // A keep-alive or a fragment: nothing announced, but it counts towards the bound.
            _messages++;
            return;
        }
        OnMessage(flow, datagram[..(headEnd + 2)], datagram[(headEnd + 4)..]);
    }

    private void OnMessage(Flow flow, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        _messages++;
        if (body.IsEmpty) return;
        // SDP alone, or among a multipart body's alternatives (Lync offers two).
        if (AsciiText.TryHeader(head, "Content-Type"u8, "c"u8, out var type)
            && AsciiText.IndexOfIgnoreCase(type, "sdp"u8) < 0 && AsciiText.IndexOfIgnoreCase(type, "multipart"u8) < 0)
            return;
        AsciiText.TryHeader(head, "Call-ID"u8, "i"u8, out var callId);
        var reader = new SdpReader(body);
        int candidates = 0;
        while (reader.TryReadNext(out var media))
        {
            if (media.HasAddress)
            {
                var evidence = MediaAnnouncement.Evidence(media.Kind, callId, flow, default);
                Announce(media.Address, media.Port, IpProtocol.Udp, AppLabel.Rtp, evidence, flow);
                if (media.RtcpPort != 0) Announce(media.RtcpAddress, media.RtcpPort, IpProtocol.Udp, AppLabel.Rtcp, evidence, flow);
            }
            // After the default, so that the candidate it usually repeats carries its type.
            var candidateReader = media.Candidates;
            while (candidates < MaxCandidatesPerBody && candidateReader.TryReadNext(out var candidate))
            {
                candidates++;
                if (!candidate.Receives || candidate.Component > 2) continue;
                Announce(candidate.Address, candidate.Port, candidate.Transport, candidate.Component == 1 ? AppLabel.Rtp : AppLabel.Rtcp,
                    MediaAnnouncement.Evidence(media.Kind, callId, flow, candidate.Type), flow);
            }
        }
    }

    private void Announce(IpAddr address, ushort port, byte transport, AppLabel label, AppDetail evidence, Flow flow) =>
        _announced.Announce(address, port, transport, new MediaAnnouncement(flow.EndNs, label, evidence));
}
