using System.Runtime.ExceptionServices;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// Writes flows to a sink, in order, on a thread of its own, as the auditor reports them judged: the auditor judges the
/// next flows while this thread formats and writes the ones before. A dedicated thread, not a pool task: a task not yet
/// started when the auditor waits for it would run inline on the auditor's thread, and the two would not overlap.
/// </summary>
internal sealed class JudgedFlowWriterThread : IDisposable
{
    private readonly IAuditedFlowSink _sink;
    private readonly ReadOnlyMemory<Flow> _flows;
    private readonly FlowVerdict[] _verdicts;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private int _judged;
    private bool _ended;
    private Exception? _failure;

    /// <summary>
    /// Starts the thread; it writes <paramref name="flows"/> with the verdict of the same index in
    /// <paramref name="verdicts"/>, up to what <see cref="Judged"/> last said.
    /// </summary>
    public JudgedFlowWriterThread(IAuditedFlowSink sink, ReadOnlyMemory<Flow> flows, FlowVerdict[] verdicts)
    {
        _sink = sink;
        _flows = flows;
        _verdicts = verdicts;
        _thread = new Thread(WriteAll) { IsBackground = true, Name = "portaudit-write" };
        _thread.Start();
    }

    /// <summary>False once writing failed: judging further is wasted.</summary>
    public bool Writing => Volatile.Read(ref _failure) is null;

    /// <summary>The first <paramref name="count"/> verdicts are set: they may be written.</summary>
    public void Judged(int count)
    {
        lock (_gate)
        {
            _judged = count;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Waits until everything judged is written; rethrows the sink's failure, if it failed.</summary>
    public void Finish()
    {
        End();
        if (_failure is { } failure) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Ends the thread after what was judged (a failure of the sink is then dropped: another is unwinding).</summary>
    public void Dispose() => End();

    private void End()
    {
        lock (_gate)
        {
            _ended = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
    }

    private void WriteAll()
    {
        int written = 0;
        try
        {
            while (true)
            {
                int ready;
                lock (_gate)
                {
                    while ((ready = _judged) == written && !_ended) Monitor.Wait(_gate);
                    if (ready == written) return;
                }
                var flows = _flows.Span;
                for (; written < ready; written++)
                {
                    _sink.Write(flows[written], _verdicts[written]);
                    // Written, a verdict is garbage: the judged flows do not pile up verdicts while the rest are judged.
                    _verdicts[written] = null!;
                }
            }
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _failure, ex);
        }
    }
}
