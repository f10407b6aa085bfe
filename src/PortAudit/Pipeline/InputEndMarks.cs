using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Pipeline;

/// <summary>
/// Marks <see cref="Flow.CutOff"/> on a flow its own input ended less than 1 s after it began, when the run ends it only
/// later: reading several captures in one run, a flow still held when its capture ended is ended by a later capture's
/// packets (idle) or at the run's end, after other inputs. A store of each capture written by a run of its own holds
/// the same flow at its capture's end and marks it there (<see cref="FlowTable"/>), so both audits judge it alike.
/// The first consumer of the run, on the thread that hands ended flows on.
/// </summary>
internal sealed class InputEndMarks : IFlowObserver
{
    // The newest packet of each input read to its end, by input number less one; long.MinValue: no packet (records).
    private readonly List<long> _ends = [];

    /// <summary>Input <paramref name="input"/> was read to its end, its newest packet at <paramref name="lastNs"/>.</summary>
    public void Ended(int input, long lastNs)
    {
        while (_ends.Count < input) _ends.Add(long.MinValue);
        _ends[input - 1] = lastNs;
    }

    /// <inheritdoc />
    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        // Only a flow whose packets all came before its input's end: one a later input went on with was watched longer.
        if (flow.Input >= 1 && flow.Input <= _ends.Count && _ends[flow.Input - 1] is var end && end != long.MinValue && flow.EndNs <= end)
            flow.NoteInputEnd(end);
    }
}
