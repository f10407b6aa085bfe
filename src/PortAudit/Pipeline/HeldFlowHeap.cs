using System.Runtime;

namespace PortAudit.Pipeline;

/// <summary>
/// Prepares the managed heap for a run that reads packets from large capture files: no collection until the input is
/// read and its flows ended, within a budget of allocation, and that budget backed by huge pages.
/// </summary>
/// <remarks>
/// <para>
/// A run over capture files keeps nearly all it allocates: flows are held until they end, and on captures of a few
/// minutes most end only with the input (on the bench corpus, 265,254 of 271,748). So each collection on the way finds
/// little garbage and marks the whole heap of held flows, stopping every thread: on the corpus the collector made three
/// collections, two of them full, with 0.08–0.13 s of pauses, for the 149 MB the run allocated. Inside the budget it
/// makes one collection, when the deferral begins (on a heap that holds little more than the catalog: about 0.01 s),
/// and none after it. Past the budget it collects as usual and the deferral ends by itself, so a larger capture costs
/// what it cost before, not more memory.
/// </para>
/// <para>
/// The collector commits the budget's memory when the deferral begins, in one mapping. The flows then fill it page by
/// page, and on this project's virtual machine each first touch of a 4 KiB page is a trap to the kernel: 40,000 of them
/// on the corpus, a third of the flow-table thread's time (faults, and the collector clearing the pages it hands out).
/// <see cref="HugePageAdvice"/> asks Linux to back that mapping with 2 MiB pages where it can: 13,000 faults remain,
/// none of them in the flows' heap, for about 2 MB more resident memory.
/// </para>
/// <para>
/// Small captures are left alone: below <see cref="MinimumInputBytes"/> a run allocates less than the young generation
/// the published executable is given (64 MB), so it makes no collection anyway, and the one a deferral begins with would
/// only cost its time. Live capture, standard input and named pipes are left alone too: their size is not known, and a
/// live run's flows end while it runs. Flow records end as they arrive, so a run of them does not ask either.
/// </para>
/// </remarks>
public sealed class HeldFlowHeap : IDisposable
{
    /// <summary>
    /// Bytes the run may allocate without a collection: the held flows of a run at the flow table's default bound
    /// (500,000 flows at 210–250 bytes with their table), their payloads read by inspection, and the batches in flight.
    /// </summary>
    public const long BudgetBytes = 256L << 20;

    /// <summary>Capture files smaller than this, in all, are read without preparing the heap.</summary>
    public const long MinimumInputBytes = 64L << 20;

    // One deferral at a time in the process (runs side by side, as in tests): asking the collector for a second while
    // one is under way ends the first.
    private static int s_held;
    private bool _deferring;

    private HeldFlowHeap(bool deferring, bool hugePages)
    {
        _deferring = deferring;
        HugePages = hugePages;
    }

    /// <summary>Whether the collector agreed to defer its collections (false when the inputs were too small, or it refused).</summary>
    public bool Deferred => _deferring;

    /// <summary>Whether Linux took the advice to back the budget with huge pages.</summary>
    public bool HugePages { get; }

    /// <summary>
    /// Prepares the heap for a run over <paramref name="inputs"/> (its inputs as named) when their regular files hold at
    /// least <see cref="MinimumInputBytes"/>. Never throws: a collector that refuses (another run in the process holds a
    /// deferral, or a heap limit is lower than the budget) leaves the run as it was.
    /// </summary>
    public static HeldFlowHeap Prepare(IEnumerable<string> inputs)
    {
        if (FileBytes(inputs) < MinimumInputBytes) return new HeldFlowHeap(false, false);
        if (Interlocked.CompareExchange(ref s_held, 1, 0) != 0) return new HeldFlowHeap(false, false);
        bool begun = false;
        try
        {
            begun = GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(BudgetBytes);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException)
        {
            // ArgumentOutOfRangeException: the budget exceeds what this collector can set aside (a heap hard limit).
        }
        if (!begun)
        {
            Volatile.Write(ref s_held, 0);
            return new HeldFlowHeap(false, false);
        }
        // An object allocated now lies in the memory just committed for the budget: its mapping is the one to advise.
        return new HeldFlowHeap(true, HugePageAdvice.AdviseMappingOf(new byte[1]));
    }

    /// <summary>
    /// The bytes of the files <paramref name="inputs"/> names; standard input ("-"), named pipes, directories, missing
    /// files and names that are no path (a live interface's) count nothing.
    /// </summary>
    public static long FileBytes(IEnumerable<string> inputs)
    {
        long total = 0;
        foreach (var input in inputs)
        {
            if (input == "-") continue;
            try
            {
                var info = new FileInfo(input);
                if (info.Exists) total += info.Length;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // The read will report what is wrong with this path; its size only decides the preparation.
            }
        }
        return total;
    }

    /// <summary>Ends the deferral if it is still under way: it ends by itself once the run allocated past the budget.</summary>
    public void Dispose()
    {
        if (!_deferring) return;
        _deferring = false;
        try
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // A collection ended the region between the check and the call (the budget was spent on another thread).
        }
        finally
        {
            Volatile.Write(ref s_held, 0);
        }
    }
}
