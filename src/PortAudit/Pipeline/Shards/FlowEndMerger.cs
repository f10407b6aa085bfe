using System.Diagnostics;
using System.Runtime.InteropServices;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// Puts the flows the shards end back into one order, the order one flow table would have ended them in
/// (<see cref="FlowEnding"/>), and hands them to the run's consumers on the caller's thread. A flow is handed on only
/// once every other shard has either ended a later flow or read past the packet that ended it, so the order never
/// depends on thread timing. It holds at most the flows of the batches in flight.
/// </summary>
internal sealed class FlowEndMerger
{
    private readonly Queue<EndedFlow>[] _pending;
    private readonly long[] _watermarks;
    private readonly IFlowObserver[] _consumers;
    private readonly HeldRun[] _held;
    private readonly IMergeStage? _stage;

    public FlowEndMerger(int shards, IFlowObserver[] consumers, IMergeStage? stage = null)
    {
        _stage = stage;
        _pending = new Queue<EndedFlow>[shards];
        for (int i = 0; i < shards; i++) _pending[i] = new Queue<EndedFlow>();
        _watermarks = new long[shards];
        _held = new HeldRun[shards];
        _consumers = consumers;
    }

    /// <summary>Takes one shard's output and hands on every flow whose place is now settled.</summary>
    public void Take(ShardOutput output)
    {
        var queue = _pending[output.Shard];
        foreach (var ended in output.Ended) queue.Enqueue(ended);
        _watermarks[output.Shard] = output.Watermark;
        if (!output.Remaining.IsEmpty) _held[output.Shard] = new HeldRun(output.Remaining, output.RemainingStarts);
        HandOnSettled();
    }

    /// <summary>
    /// After every shard ended the run: the flows still held at the end of input, in one order, to every consumer in
    /// turn, as <see cref="FlowTable.Flush"/> hands them.
    /// </summary>
    public void HandOnRemaining()
    {
        HandOnSettled();
        foreach (var queue in _pending)
            if (queue.Count > 0) throw new InvalidOperationException("a shard's flows were left unmerged");
        var flows = MergeHeld();
        foreach (var consumer in _consumers) consumer.OnFlowsEnd(flows);
    }

    /// <summary>
    /// The flows ended with the input, in one order: the shards' held flows, each shard's already sorted by first packet
    /// and id, and prepared by its shard (<see cref="ShardOutbox.OnFlowsEnd"/>), merged by their first packets' times.
    /// </summary>
    private Flow[] MergeHeld()
    {
        int count = 0;
        foreach (var run in _held) count += run.Left;
        var flows = new Flow[count];
        for (int at = 0; at < count; at++)
        {
            int best = -1;
            for (int i = 0; i < _held.Length; i++)
                if (_held[i].Left > 0 && (best < 0 || _held[i].Precedes(_held[best]))) best = i;
            flows[at] = _held[best].Take();
        }
        Array.Fill(_held, default);
        return flows;
    }

    /// <summary>
    /// One shard's held flows as the merge reads them: the array its table sorted them into (FlowTable.Flush) and their
    /// first packets' times, read in order, rather than two flows scattered over the heap at every step.
    /// </summary>
    private struct HeldRun
    {
        private readonly Flow[] _flows;
        private readonly long[] _starts;
        private int _next;

        public HeldRun(ReadOnlyMemory<Flow> flows, long[] starts)
        {
            bool whole = MemoryMarshal.TryGetArray(flows, out var segment) && segment.Offset == 0;
            Debug.Assert(whole && segment.Count == starts.Length, "a table hands its held flows on in the array it sorted");
            _flows = whole ? segment.Array! : flows.ToArray();
            _starts = starts;
        }

        public readonly int Left => (_flows?.Length ?? 0) - _next;

        // FlowEnding.Compare's order for flows ended with the input: first packet, then id. Ids are unique.
        public readonly bool Precedes(in HeldRun other)
        {
            long start = _starts[_next], otherStart = other._starts[other._next];
            return start != otherStart ? start < otherStart : _flows[_next].Id < other._flows[other._next].Id;
        }

        public Flow Take() => _flows[_next++];
    }

    private void HandOnSettled()
    {
        while (TryTakeNext(out var next))
        {
            if (next.Flow is not { } flow)
            {
                _stage?.OnNote(next.Note!, next.Ending.Ordinal);
                continue;
            }
            // Flows ended with the input come whole, in each shard's Remaining, and are merged at the end.
            Debug.Assert(next.Ending.Cause != FlowEndCause.EndOfInput);
            _stage?.Prepare(flow);
            foreach (var consumer in _consumers) consumer.OnFlowEnd(flow);
        }
    }

    private bool TryTakeNext(out EndedFlow next)
    {
        // A linear scan over the heads: shards are few (one per core); a run over many more would keep a heap.
        int best = -1;
        for (int i = 0; i < _pending.Length; i++)
        {
            if (_pending[i].Count == 0) continue;
            if (best < 0 || Compare(_pending[i].Peek(), _pending[best].Peek()) < 0) best = i;
        }
        next = default;
        if (best < 0) return false;
        var head = _pending[best].Peek();
        for (int i = 0; i < _pending.Length; i++)
            if (i != best && _pending[i].Count == 0 && _watermarks[i] < head.Ending.Ordinal) return false;
        next = _pending[best].Dequeue();
        return true;
    }

    private static int Compare(in EndedFlow a, in EndedFlow b) => FlowEnding.Compare(a.Flow, a.Ending, b.Flow, b.Ending);
}
