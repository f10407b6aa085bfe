using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// What a finding keeps of its earliest flows (a sample, an id), at most a given number, in the order the flows began:
/// by start, then input and frame (<see cref="FlowBeginning"/>). The choice does not hang on the order a source gives its flows in (a capture's
/// flows end in its sweeps' order, the store gives them by start), so an audit of a capture, of its flow files and of
/// the store quote the same flows, and the first quoted is the one that set the finding's first-seen time.
/// </summary>
/// <typeparam name="T">What is kept of a flow.</typeparam>
internal sealed class EarliestFlows<T>
{
    private readonly int _capacity;
    private readonly List<FlowBeginning> _keys = [];
    private readonly List<T> _items = [];

    /// <summary>Keeps at most <paramref name="capacity"/> items.</summary>
    public EarliestFlows(int capacity)
    {
        System.Diagnostics.Debug.Assert(capacity > 0);
        _capacity = capacity;
    }

    /// <summary>The items kept, earliest flow first.</summary>
    public IReadOnlyList<T> Items => _items;

    /// <summary>
    /// Keeps what <paramref name="keep"/> makes of <paramref name="flow"/> when it began before the latest kept or there
    /// is room; the flow of a full list's latest item makes room. <paramref name="keep"/> runs only for a flow kept.
    /// </summary>
    public void Offer(Flow flow, Func<Flow, T> keep)
    {
        var key = FlowBeginning.Of(flow);
        // Most flows come after the latest kept (a source gives them roughly in time): one comparison rejects them.
        if (_keys.Count == _capacity && key.CompareTo(_keys[^1]) >= 0) return;
        int at = _keys.BinarySearch(key);
        if (at < 0) at = ~at;
        if (_keys.Count == _capacity)
        {
            _keys.RemoveAt(_capacity - 1);
            _items.RemoveAt(_capacity - 1);
        }
        _keys.Insert(at, key);
        _items.Insert(at, keep(flow));
    }
}

/// <summary>
/// Where a flow began, ordered: by start, input and frame, then (for flows of one frame: a tunnel's own flow and the flow
/// it carries, or records without frames) by transport and ends, and last by id. Every field but the id is the same in
/// every source of the flow, so two sources order the same flows alike.
/// </summary>
internal readonly record struct FlowBeginning(long StartNs, int Input, long Frame, byte Protocol, IpAddr Client, ushort ClientPort,
    IpAddr Server, ushort ServerPort, long Id) : IComparable<FlowBeginning>
{
    /// <summary>Ordered after every flow's.</summary>
    public static readonly FlowBeginning Last = new(long.MaxValue, int.MaxValue, long.MaxValue, byte.MaxValue, default, ushort.MaxValue, default, ushort.MaxValue, long.MaxValue);

    /// <summary>Where <paramref name="flow"/> began.</summary>
    public static FlowBeginning Of(Flow flow) =>
        new(flow.StartNs, flow.Input, flow.FirstFrame, flow.Protocol, flow.Client, flow.ClientPort, flow.Server, flow.ServerPort, flow.Id);

    /// <inheritdoc />
    public int CompareTo(FlowBeginning other)
    {
        int c = StartNs.CompareTo(other.StartNs);
        if (c == 0) c = Input.CompareTo(other.Input);
        if (c == 0) c = Frame.CompareTo(other.Frame);
        if (c == 0) c = Protocol.CompareTo(other.Protocol);
        if (c == 0) c = Client.CompareTo(other.Client);
        if (c == 0) c = ClientPort.CompareTo(other.ClientPort);
        if (c == 0) c = Server.CompareTo(other.Server);
        if (c == 0) c = ServerPort.CompareTo(other.ServerPort);
        return c != 0 ? c : Id.CompareTo(other.Id);
    }
}
