using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Sip;

/// <summary>
/// A media stream an SDP offer or answer announced on a SIP flow: the RTP or RTCP flow that goes there is labelled so,
/// its appDetail naming the media, the call (Call-ID) and the SIP flow that carried the SDP, as rpcSource is for DCE/RPC.
/// </summary>
public sealed class MediaAnnouncement : IAnnouncement
{
    private readonly AppLabel _label;
    private readonly AppDetail _detail;

    /// <summary>An announcement of <paramref name="label"/> (rtp or rtcp) made at <paramref name="timeNs"/>, with its evidence.</summary>
    public MediaAnnouncement(long timeNs, AppLabel label, AppDetail detail)
    {
        TimeNs = timeNs;
        _label = label;
        _detail = detail;
    }

    /// <summary>
    /// The evidence an announced media flow carries: <c>sdp; media=audio; call-id=...; sip=client:port</c>, and
    /// <c>candidate=host</c> (srflx, relay...) when an ICE candidate rather than the c=/m= default announced it.
    /// </summary>
    public static AppDetail Evidence(ReadOnlySpan<byte> kind, ReadOnlySpan<byte> callId, Flow signalling, ReadOnlySpan<byte> candidateType)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.Append("sdp");
        text.Part("media");
        text.AppendEscaped(kind, 16);
        if (!callId.IsEmpty)
        {
            text.Part("call-id");
            text.AppendEscaped(callId, 128);
        }
        text.Part("sip");
        text.Append(EndpointText.Format(signalling.Client, signalling.ClientPort));
        if (!candidateType.IsEmpty)
        {
            text.Part("candidate");
            text.AppendEscaped(candidateType, 16);
        }
        return text.Build()!;
    }

    /// <inheritdoc />
    public long TimeNs { get; }

    /// <inheritdoc />
    public bool Refinable => false;

    /// <inheritdoc />
    /// <remarks>Phones and media servers send RTP from the port they receive it on (RFC 4961).</remarks>
    public bool Symmetric => true;

    /// <inheritdoc />
    public void Apply(Flow flow)
    {
        flow.App = _label;
        flow.AppDetail = _detail;
    }
}
