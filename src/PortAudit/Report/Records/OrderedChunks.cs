using PortAudit.Flows;

namespace PortAudit.Report.Records;

/// <summary>
/// Formats the records of many flows on two threads and writes them in their order: the flows are cut into chunks that
/// either thread takes as it comes free, each formatted into the formatter of its slot, and the calling thread writes the
/// slots out in chunk order between chunks of its own.
/// </summary>
/// <remarks>
/// The two threads formatting a chunk each and then waiting for each other, round after round, kept each busy half the
/// time on the two-core bench machine: waking the other virtual CPU for every round took about as long as the round
/// (perf, `flows` on the bench corpus). Here a thread waits only when every slot is formatted and not yet written.
/// </remarks>
internal sealed class OrderedChunks
{
    private readonly ReadOnlyMemory<Flow> _flows;
    private readonly JsonLineFormatter[] _slots;
    private readonly Stream _output;
    private readonly int _chunk;
    private readonly int _chunks;
    // Per slot, the chunk last formatted into it, plus one.
    private readonly int[] _formatted;
    // The last chunk taken by either thread.
    private int _taken = -1;
    // Chunks written; only the calling thread writes, and so moves it.
    private int _written;
    private volatile bool _stopped;

    private OrderedChunks(ReadOnlyMemory<Flow> flows, JsonLineFormatter[] slots, int chunk, Stream output)
    {
        _flows = flows;
        _slots = slots;
        _chunk = chunk;
        _chunks = (flows.Length + chunk - 1) / chunk;
        _formatted = new int[slots.Length];
        _output = output;
    }

    /// <summary>
    /// Writes the records of <paramref name="flows"/> to <paramref name="output"/> in order, formatted <paramref name="chunk"/>
    /// at a time by the formatters of <paramref name="slots"/>, whose buffers start and end empty.
    /// </summary>
    public static void Write(ReadOnlyMemory<Flow> flows, JsonLineFormatter[] slots, int chunk, Stream output) =>
        new OrderedChunks(flows, slots, chunk, output).Run();

    private void Run()
    {
        var helper = Task.Run(Help);
        try
        {
            var wait = new SpinWait();
            while (_written < _chunks)
            {
                int slot = _written % _slots.Length;
                if (Volatile.Read(ref _formatted[slot]) == _written + 1)
                {
                    _slots[slot].DrainTo(_output);
                    Volatile.Write(ref _written, _written + 1);
                }
                else if (TryFormatNext() != Step.Formatted)
                {
                    // A failed helper would never format the chunk it took.
                    if (helper.IsFaulted) helper.GetAwaiter().GetResult();
                    wait.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                wait.Reset();
            }
        }
        catch
        {
            // A write failed, or the helper: the helper stops at its next chunk, and what the slots hold is forgotten, so
            // that no record reaches the output after the failure, out of order, nor is formatted into a slot meanwhile.
            _stopped = true;
            try
            {
                helper.Wait();
            }
            catch (AggregateException)
            {
                // The failure being raised is the first; the helper's own is it, or came from the stop.
            }
            foreach (var slot in _slots) slot.Discard();
            throw;
        }
        helper.GetAwaiter().GetResult();
    }

    private void Help()
    {
        var wait = new SpinWait();
        while (!_stopped)
        {
            switch (TryFormatNext())
            {
                case Step.Done:
                    return;
                case Step.Waiting:
                    wait.SpinOnce(sleep1Threshold: -1);
                    break;
                default:
                    wait.Reset();
                    break;
            }
        }
    }

    private enum Step { Formatted, Waiting, Done }

    // Takes the next chunk if its slot has been written out, and formats it.
    private Step TryFormatNext()
    {
        int taken = Volatile.Read(ref _taken);
        int next = taken + 1;
        if (next >= _chunks) return Step.Done;
        if (next - _slots.Length >= Volatile.Read(ref _written)) return Step.Waiting;
        if (Interlocked.CompareExchange(ref _taken, next, taken) != taken) return Step.Formatted;
        int start = next * _chunk;
        _slots[next % _slots.Length].FormatAll(_flows.Span.Slice(start, Math.Min(_chunk, _flows.Length - start)));
        Volatile.Write(ref _formatted[next % _slots.Length], next + 1);
        return Step.Formatted;
    }
}
