using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Marks <see cref="FlowRecord.CutOff"/> on the records of an input that ended less than
/// <see cref="Flow.CutOffWindowNs"/> after they began, as the flow table marks a capture's flows: the input ends at the
/// newest time its records hold (the newest end read), where the capture's ends at its newest packet. A Zeek S0 record
/// or softflowd's export of a SYN that was a capture's last packet is then "unanswered at end of input", as the audit
/// of the capture calls it, not a failed attempt. Only a record that began within the window of the newest end read so
/// far can still be marked: it is held until the newest end moves past the window or the input ends, the others go
/// on at once. The held records are those that began in the last second of the input's time, so memory follows the
/// flows of one second; they go on in the order they began.
/// </summary>
internal sealed class RecordInputEnd
{
    private readonly PriorityQueue<FlowRecord, (long StartNs, long Order)> _held = new();
    private readonly Queue<FlowRecord> _ready = new();
    private long _newestEndNs = long.MinValue, _order;

    /// <summary>A record read; <see cref="TryTake"/> then gives those that can no longer be cut off.</summary>
    public void Add(in FlowRecord record)
    {
        // A record without a time (start and end the epoch) is at no place in the input's time.
        if (!Flow.Timed(record.StartNs, record.EndNs))
        {
            _ready.Enqueue(record);
            return;
        }
        if (record.EndNs > _newestEndNs) _newestEndNs = record.EndNs;
        if (_newestEndNs - record.StartNs < Flow.CutOffWindowNs) _held.Enqueue(record, (record.StartNs, _order++));
        else _ready.Enqueue(record);
        while (_held.TryPeek(out _, out var first) && _newestEndNs - first.StartNs >= Flow.CutOffWindowNs)
            _ready.Enqueue(_held.Dequeue());
    }

    /// <summary>The input ended: every record still held began within the window of its end and is marked.</summary>
    public void End()
    {
        while (_held.TryDequeue(out var record, out _))
        {
            record.CutOff = true;
            _ready.Enqueue(record);
        }
    }

    /// <summary>Takes the next record to hand on.</summary>
    public bool TryTake(out FlowRecord record) => _ready.TryDequeue(out record);
}
