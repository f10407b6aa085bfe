using System.Text;
using PortAudit.Flows;

namespace PortAudit.Store;

/// <summary>
/// Where a run's flow came from, as a store row says it: the name of its input and, for a flow without a frame (a flow
/// record), its place among its input's flows. Kept by every writer of store rows (the database, the lake).
/// </summary>
internal sealed class FlowInputs
{
    private readonly byte[][] _inputs;
    private readonly long[] _ordinalsBefore;

    /// <summary>The run's inputs by number (<see cref="Flow.Input"/> 1 is the first).</summary>
    public FlowInputs(IReadOnlyList<string> inputs)
    {
        _inputs = inputs.Select(Encoding.UTF8.GetBytes).ToArray();
        _ordinalsBefore = new long[_inputs.Length + 1];
    }

    /// <summary>The run tells where an input's ordinals start (<see cref="IFlowObserver.OnInputStart"/>).</summary>
    public void OnInputStart(int input, long ordinalsBefore)
    {
        if (input >= 0 && input < _ordinalsBefore.Length) _ordinalsBefore[input] = ordinalsBefore;
    }

    // A flow's identity in the store holds the frame that opened it; a flow without one (a flow record: a firewall log
    // has many in one second, on one 5-tuple) holds its place among its input's records instead: its id, the run's
    // ordinal, less the ordinals before its input. Reading the same input again, alone or after others, with or without
    // a filter, gives every record the same place.
    /// <summary>The flow's place among its input's records, 0 for a flow with a frame.</summary>
    public long RecordOrdinal(Flow flow)
    {
        if (flow.FirstFrame > 0) return 0;
        return flow.Id - _ordinalsBefore[Math.Clamp(flow.Input, 0, _ordinalsBefore.Length - 1)];
    }

    /// <summary>The name of the flow's input, UTF-8. Flows from flow records carry no input number: with one input they belong to it.</summary>
    public ReadOnlySpan<byte> InputOf(Flow flow) =>
        flow.Input >= 1 && flow.Input <= _inputs.Length ? _inputs[flow.Input - 1]
        : _inputs.Length == 1 ? _inputs[0] : [];
}
