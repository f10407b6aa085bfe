using System.Diagnostics;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// The earliest flows offered, at most a few, in the order they began (<see cref="Compare"/>). Which flows a finding quotes
/// then does not hang on the order a source gives them in: a capture's flows end in its sweeps' order, the store and the
/// lake give them by start, and an audit of each quotes the same flows.
/// </summary>
/// <remarks>
/// It holds the flows themselves (a judged flow no longer changes) and leaves making their samples to the reader: a
/// sample costs two address strings and a Community ID (a SHA-1), which a flow offered and later displaced never needs.
/// </remarks>
internal sealed class EarliestFlows
{
    private readonly Flow[] _flows;
    private int _count;

    /// <summary>Keeps at most <paramref name="capacity"/> flows.</summary>
    public EarliestFlows(int capacity)
    {
        Debug.Assert(capacity > 0);
        _flows = new Flow[capacity];
    }

    /// <summary>The flows kept, earliest first.</summary>
    public ReadOnlySpan<Flow> Flows => _flows.AsSpan(0, _count);

    /// <summary>Keeps <paramref name="flow"/> when there is room or it began before the latest kept, which it displaces; says whether it was kept.</summary>
    public bool Offer(Flow flow)
    {
        if (_count == _flows.Length)
        {
            // A source gives flows roughly in time: the start alone turns most of them away.
            var latest = _flows[_count - 1];
            if (flow.StartNs > latest.StartNs || Compare(flow, latest) >= 0) return false;
            _count--;
        }
        int at = _count;
        while (at > 0 && Compare(flow, _flows[at - 1]) < 0)
        {
            _flows[at] = _flows[at - 1];
            at--;
        }
        _flows[at] = flow;
        _count++;
        return true;
    }

    /// <summary>
    /// Orders flows by where they began: start, input and frame, then (for flows of one frame: a tunnel's own flow and the
    /// flow it carries, or records without frames) transport, ends and ports, and last the run's id. Every field but the
    /// id is the same in every source of a flow, so sources order the same flows alike.
    /// </summary>
    public static int Compare(Flow a, Flow b)
    {
        int c = a.StartNs.CompareTo(b.StartNs);
        if (c == 0) c = a.Input.CompareTo(b.Input);
        if (c == 0) c = a.FirstFrame.CompareTo(b.FirstFrame);
        if (c == 0) c = a.Protocol.CompareTo(b.Protocol);
        if (c == 0) c = a.Client.CompareTo(b.Client);
        if (c == 0) c = a.ClientPort.CompareTo(b.ClientPort);
        if (c == 0) c = a.Server.CompareTo(b.Server);
        if (c == 0) c = a.ServerPort.CompareTo(b.ServerPort);
        return c != 0 ? c : a.Id.CompareTo(b.Id);
    }
}
