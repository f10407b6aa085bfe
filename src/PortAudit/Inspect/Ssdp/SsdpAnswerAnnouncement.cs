using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Ssdp;

/// <summary>
/// The answers an SSDP search announces (UPnP Device Architecture 2.0, 1.3.2 and 1.3.3): a control point sends M-SEARCH,
/// most often to the multicast group 239.255.255.250:1900, and every device that matches answers by unicast to the
/// address and port the search came from. Each answer is then a flow of its own, and a device may answer from a port of
/// its own choosing, so that neither end's port is a service's: the port it arrives at is the searcher's, which on a
/// Windows host falls in the dynamic RPC range. The flow that goes to the searching endpoint is labelled ssdp, its
/// appDetail <c>answer</c>, where the search was sent (<c>search=</c>) and what it asked for (<c>st=</c>).
/// </summary>
public static class SsdpAnswerAnnouncement
{
    /// <summary>Expects the answers to <paramref name="search"/> when it is an SSDP M-SEARCH.</summary>
    public static void AnnounceFrom(Flow search, AnnouncedConnections announced)
    {
        if (search.App != AppLabel.Ssdp || search.Protocol != IpProtocol.Udp || search.AppDetail is not { Count: > 0 } detail
            || !detail.ValueAt(0).SequenceEqual("m-search")) return;
        // The searcher is the end that sent the search: the flow's client, unless the ports turned the flow.
        var (searcher, searcherPort, target, targetPort) = search.FirstSentByServer
            ? (search.Server, search.ServerPort, search.Client, search.ClientPort)
            : (search.Client, search.ClientPort, search.Server, search.ServerPort);
        var evidence = AppDetail.Of(new DetailPart(null, "answer"),
            new DetailPart("search", EndpointText.Format(target, targetPort)),
            new DetailPart("st", detail.Find("st") ?? ""));
        announced.Announce(searcher, searcherPort, IpProtocol.Udp, new LabelAnnouncement(search.EndNs, AppLabel.Ssdp, evidence));
    }
}
