using System.Runtime.ExceptionServices;

namespace PortAudit.Common;

/// <summary>
/// One piece of work on a named thread of its own, beside the caller's: a run's decoder, an audit's flows.jsonl writer,
/// an audit's page. The caller always waits for it, and its failure is rethrown after the caller's own. Either side may
/// abort the other through the hand-off between them (its <c>...Done</c> action cancels it); the side aborted then ends
/// with <see cref="OperationCanceledException"/>, and the failure reported is the one that caused the abort.
/// </summary>
internal static class BesideThread
{
    /// <summary>
    /// Runs <paramref name="work"/> on a thread named <paramref name="name"/>, then <paramref name="workDone"/> there
    /// whatever happened, while this thread runs <paramref name="own"/>, then <paramref name="ownDone"/> whatever
    /// happened; waits for the other thread, and rethrows the failure of <paramref name="work"/>, if any.
    /// </summary>
    public static void Run(string name, Action work, Action own, Action? workDone = null, Action? ownDone = null)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                work();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                try
                {
                    workDone?.Invoke();
                }
                catch (OperationCanceledException)
                {
                    // The work was aborted by the caller's own failure, which is the one to report.
                }
            }
        }) { IsBackground = true, Name = name };
        thread.Start();
        // Cancelled, the caller's side may have been aborted by the work's failure, which the work records only when it
        // ends (a split read joins its other readers first): which failure to report is decided once it has ended.
        ExceptionDispatchInfo? cancelled = null;
        try
        {
            own();
        }
        catch (OperationCanceledException ex)
        {
            cancelled = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            ownDone?.Invoke();
            thread.Join();
        }
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        cancelled?.Throw();
    }
}
