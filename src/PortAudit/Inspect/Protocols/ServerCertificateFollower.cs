using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Reads on, past the bytes inspected, the server's side of a TLS connection whose leaf certificate began within them
/// and did not end there (<c>cert=unread</c>): a leaf of many names runs past 4 KiB (base.pcap's iCloud, Aliyun and
/// Fastly servers present leaves of 4,037 to 5,438 bytes). The stream is read from its start, nothing of it consumed,
/// up to <see cref="TlsHandshakeMessage.MaxLength"/> bytes, and the leaf judged once it is all there
/// (<see cref="ServerCertificate.Judge"/>); the word stays when the stream ends, breaks or passes the bound first. The
/// client's side is dropped. Only flows that need it get one, and each holds at most that many bytes.
/// </summary>
public sealed class ServerCertificateFollower : IFlowFollower
{
    private bool _done;

    private ServerCertificateFollower()
    {
    }

    /// <summary>A follower for <paramref name="flow"/> when it is TLS over TCP whose leaf was left unread, else null.</summary>
    public static IFlowFollower? For(Flow flow) =>
        flow.App == AppLabel.Tls && flow.Protocol == IpProtocol.Tcp && flow.AppDetail?.Find(DetailKeys.Certificate) == TlsCertificateFlaws.Unread
            ? new ServerCertificateFollower() : null;

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
        _done = ServerCertificate.Judge(flow, data, last: data.Length >= TlsHandshakeMessage.MaxLength) == TlsHandshakeMessage.State.Complete;
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram) { }

    /// <inheritdoc />
    public void OnBroken(Flow flow, bool fromClient, string why)
    {
        if (!fromClient) _done = true;
    }
}
