using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Reads on, past the bytes inspected, the server's side of a TLS connection whose leaf certificate began within them
/// and did not end there (<c>cert=unread</c>): a leaf of many names runs past 4 KiB (base.pcap's iCloud, Aliyun and
/// Fastly servers present leaves of 4,037 to 5,438 bytes), or a mail or XMPP server's after its answer to STARTTLS (its
/// greeting and capabilities before the TLS: <see cref="StartTls.ServerHandshakeStart"/>). The stream is read from its
/// start, nothing of it consumed, up to <see cref="TlsHandshakeMessage.MaxLength"/> bytes, and the leaf judged once it
/// is all there (<see cref="ServerCertificate.Judge"/>); the word stays when the stream ends, breaks or passes the bound
/// first. The client's side is dropped. Only flows that need it get one, and each holds at most that many bytes.
/// </summary>
public sealed class ServerCertificateFollower : IFlowFollower
{
    private readonly bool _afterStartTls;
    private bool _done;

    private ServerCertificateFollower(bool afterStartTls) => _afterStartTls = afterStartTls;

    /// <summary>
    /// A follower for <paramref name="flow"/> when it is TCP whose leaf was left unread, TLS from its first byte or a
    /// text protocol upgraded by STARTTLS, else null. FTP's AUTH TLS is read on by its own follower.
    /// </summary>
    public static IFlowFollower? For(Flow flow)
    {
        if (flow.Protocol != IpProtocol.Tcp || flow.AppDetail is not { } detail || detail.Find(DetailKeys.Certificate) != TlsCertificateFlaws.Unread)
            return null;
        if (flow.App == AppLabel.Tls) return new ServerCertificateFollower(afterStartTls: false);
        return detail.HasWord(DetailKeys.StartTls) ? new ServerCertificateFollower(afterStartTls: true) : null;
    }

    /// <inheritdoc />
    public bool Finished => _done;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        if (fromClient)
        {
            stream.Skip(long.MaxValue);
            return;
        }
        if (_done) return;
        var data = stream.Data;
        bool last = data.Length >= TlsHandshakeMessage.MaxLength;
        // The text before the TLS was read whole when the leaf began.
        int start = _afterStartTls ? StartTls.ServerHandshakeStart(flow, data) : 0;
        _done = start >= 0 ? ServerCertificate.Judge(flow, data[start..], last) == TlsHandshakeMessage.State.Complete : last;
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram) { }

    /// <inheritdoc />
    public void OnBroken(Flow flow, bool fromClient, string why)
    {
        if (!fromClient) _done = true;
    }
}
