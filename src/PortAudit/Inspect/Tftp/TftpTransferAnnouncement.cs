using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Tftp;

/// <summary>
/// The transfer a TFTP request announces (RFC 1350 4): the server answers from a port of its choosing to the client's
/// address and port, so the transfer is a flow of its own that nothing in its bytes names. The flow that goes to the
/// requesting endpoint is labelled tftp, its appDetail naming the request (rrq, wrq) and the server it was sent to.
/// </summary>
public static class TftpTransferAnnouncement
{
    /// <summary>Expects the transfer of <paramref name="request"/> when it is a TFTP read or write request.</summary>
    public static void AnnounceFrom(Flow request, AnnouncedConnections announced)
    {
        if (request.App != AppLabel.Tftp || request.Protocol != IpProtocol.Udp || request.AppDetail is not { Count: > 0 } detail) return;
        var evidence = AppDetail.Of(new DetailPart(null, detail.ValueAt(0).ToString()),
            new DetailPart("request", EndpointText.Format(request.Server, request.ServerPort)));
        announced.Announce(request.Client, request.ClientPort, IpProtocol.Udp, new LabelAnnouncement(request.EndNs, AppLabel.Tftp, evidence));
    }
}
