using System.Diagnostics;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Marks <see cref="FlowRecord.CutOff"/> on the records of an input that ended less than
/// <see cref="Flow.CutOffWindowNs"/> after they began, as the flow table marks a capture's flows: the input ends at the
/// newest time its records hold (the newest end read), where the capture's ends at its newest packet. A Zeek S0 record
/// or softflowd's export of a SYN that was a capture's last packet is then "unanswered at end of input", as the audit
/// of the capture calls it, not a failed attempt. Records go on in the file's order: the first is held while it began
/// within the window of the newest end read so far (it could still be the input's last second), and those read after
/// it wait behind it, so memory follows the records of about one second of the input's time.
/// </summary>
internal sealed class RecordInputEnd
{
    /// <summary>
    /// Most records held: past it the first goes on unmarked. A record far ahead of the others in time (a clock that
    /// jumped a year) stays within the window of the newest end, which is its own, and would hold every record after it.
    /// </summary>
    internal const int MaxHeld = 1 << 16;

    private readonly Queue<FlowRecord> _held = new();
    private readonly Queue<FlowRecord> _ready = new();
    private long _newestEndNs = long.MinValue;

    /// <summary>A record read; <see cref="TryTake"/> then gives those that can no longer be cut off.</summary>
    public void Add(in FlowRecord record)
    {
        if (Flow.Timed(record.StartNs, record.EndNs) && record.EndNs > _newestEndNs) _newestEndNs = record.EndNs;
        _held.Enqueue(record);
        while (_held.TryPeek(out var first) && (!InWindow(first) || _held.Count > MaxHeld))
            _ready.Enqueue(_held.Dequeue());
    }

    /// <summary>The input ended: every record still held that began within the window of its end is marked.</summary>
    public void End()
    {
        while (_held.TryDequeue(out var record))
        {
            record.CutOff |= InWindow(record);
            _ready.Enqueue(record);
        }
        Debug.Assert(_held.Count == 0);
    }

    /// <summary>Takes the next record to hand on.</summary>
    public bool TryTake(out FlowRecord record) => _ready.TryDequeue(out record);

    // A record without a time (start and end the epoch) is at no place in the input's time.
    private bool InWindow(in FlowRecord record) =>
        Flow.Timed(record.StartNs, record.EndNs) && _newestEndNs - record.StartNs < Flow.CutOffWindowNs;
}
