using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// Every announcement of a run split over shards, in run order, kept on the thread that merges the shards. A shard labels
/// the flows it announced itself when they begin, as one table does; an announcement read in one shard for a flow dealt to
/// another (SDP media between other hosts than the signalling, an FTP PORT to a third host) labels that flow here, when
/// it ends, by the rule one table applies at its first packet: the latest announcement of its endpoint made before that
/// packet, if still fresh. It holds one entry per announcement of the run.
/// </summary>
internal sealed class AnnouncementHistory(TimeSpan lifetime) : IMergeStage, IAnnouncementLookup
{
    private readonly Dictionary<AnnouncedEndpoint, List<(long Ordinal, IAnnouncement Announcement)>> _byEndpoint = new();
    // The ports announced, one bit each: nearly every flow held at the end of input has no announced port at either end,
    // and is told so here rather than by three lookups of its ends.
    private readonly ulong[] _ports = new ulong[(ushort.MaxValue + 1) / 64];
    private readonly long _lifetimeNs = lifetime.Ticks * 100;

    /// <summary>What a shard's announcement table publishes, to be taken here in run order.</summary>
    public sealed record Note(AnnouncedEndpoint Endpoint, IAnnouncement Announcement);

    /// <inheritdoc />
    public void OnNote(object note, long ordinal)
    {
        var (endpoint, announcement) = (Note)note;
        if (!_byEndpoint.TryGetValue(endpoint, out var list)) _byEndpoint[endpoint] = list = new(1);
        list.Add((ordinal, announcement));
        _ports[endpoint.Port >> 6] |= 1UL << endpoint.Port;
    }

    /// <inheritdoc />
    public void Prepare(Flow flow)
    {
        if (!flow.Announced && _byEndpoint.Count > 0) AnnouncedConnections.Apply(AnnouncedConnections.FindFor(this, flow), flow);
    }

    /// <inheritdoc />
    public bool TryFind(AnnouncedEndpoint endpoint, Flow flow, out IAnnouncement found)
    {
        found = null!;
        if ((_ports[endpoint.Port >> 6] & (1UL << endpoint.Port)) == 0 || !_byEndpoint.TryGetValue(endpoint, out var list)) return false;
        // The table held the latest announcement made before the flow's first packet, whose ordinal is the flow's id.
        for (int i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Ordinal >= flow.Id) continue;
            found = list[i].Announcement;
            return AnnouncedConnections.IsFresh(found, flow.StartNs, _lifetimeNs);
        }
        return false;
    }
}
