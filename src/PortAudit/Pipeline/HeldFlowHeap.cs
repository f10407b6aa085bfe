using System.Runtime;
using PortAudit.Capture;

namespace PortAudit.Pipeline;

/// <summary>
/// Prepares the managed heap for a run that reads packets from large capture files: no collection until the run has
/// allocated a budget, and that budget backed by huge pages.
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
/// The deferral ends once the run's flows have ended, with one collection (<see cref="Release"/>). The flows are garbage
/// by then: on the corpus 11–16 MiB of the heap stays live. What comes next may allocate as much again (an audit's
/// reports: with the inventory drafted from the corpus, 2,500 findings), and without that collection the audit's peak
/// grew from 180 to 272 MiB. Left to lapse instead, the deferral saved about 0.1 s on an audit with small reports and
/// cost as much on one with large reports.
/// </para>
/// <para>
/// The collector commits the budget's memory when the deferral begins, in one mapping. The flows then fill it page by
/// page, and on this project's virtual machine each first touch of a 4 KiB page is a trap to the kernel: 40,000 of them
/// on the corpus, a third of the flow-table thread's time (faults, and the collector clearing the pages it hands out).
/// <see cref="HugePageAdvice"/> asks Linux to back that mapping with 2 MiB pages where it can: the corpus audit then
/// makes 13,400 page faults in all instead of 40,000, for 2–4 MB more resident memory.
/// </para>
/// <para>
/// Even so, faulting in and clearing those pages was a sixth of the flow-table thread's time, on the thread the whole
/// run waits for. A <see cref="HeapPageFiller"/> faults them in on a thread of its own, a region or two ahead of the
/// allocations, until the deferral ends.
/// </para>
/// <para>
/// Small captures are left alone: below <see cref="MinimumInputBytes"/> a run allocates less than the young generation
/// the published executable is given (64 MB), so it makes no collection anyway, and the one a deferral begins with would
/// only cost its time. Live capture, standard input and named pipes are left alone too: their size is not known, and a
/// live run's flows end while it runs. Flow records end as they arrive, so a run of them does not ask either.
/// </para>
/// </remarks>
public static class HeldFlowHeap
{
    /// <summary>
    /// Bytes the run may allocate without a collection: the held flows of a run at the flow table's default bound
    /// (500,000 flows at 210–250 bytes with their table), their payloads read by inspection, and the batches in flight.
    /// </summary>
    public const long BudgetBytes = 256L << 20;

    /// <summary>Capture files smaller than this, in all, are read without preparing the heap.</summary>
    public const long MinimumInputBytes = 64L << 20;

    // Asking the collector for a second deferral while one is under way ends the first: runs side by side in one
    // process (as in tests) check and ask one at a time.
    private static readonly object Asking = new();
    // A preparation begun before the run was set up (Begin), for the run's Prepare to take over.
    private static HeapPreparation? _begun;
    // Fills the budget's pages ahead of the allocations until the deferral ends.
    private static HeapPageFiller? _filler;

    /// <summary>The filler of the deferral under way, if one fills its pages.</summary>
    internal static HeapPageFiller? Filler
    {
        get
        {
            lock (Asking) return _filler;
        }
    }

    /// <summary>
    /// Prepares the heap now for a run over <paramref name="inputs"/> that this process sets up next, before it loads
    /// what the run needs (the audit command: the catalog and inventory). The collection that begins the deferral then
    /// finds a heap of almost nothing; begun after loading, it stopped every thread to move the loaded catalog and
    /// inventory, while the capture's digest waited. The run's <see cref="Prepare"/> takes this preparation over.
    /// </summary>
    public static void Begin(IEnumerable<string> inputs)
    {
        // Only capture files: flow records (a Zeek log, IPFIX) end as they arrive, and their run never takes this over.
        var prepared = Prepare(inputs.Where(CaptureFile.StartsAsCapture));
        if (prepared.Deferred) lock (Asking) _begun = prepared;
    }

    /// <summary>
    /// Prepares the heap for a run over <paramref name="inputs"/> (its inputs as named) when their regular files hold at
    /// least <see cref="MinimumInputBytes"/>. Never throws: a collector that refuses (a deferral is under way already,
    /// or a heap limit is lower than the budget) leaves the run as it was.
    /// </summary>
    public static HeapPreparation Prepare(IEnumerable<string> inputs)
    {
        lock (Asking)
        {
            if (_begun is { } begun && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                _begun = null;
                return begun;
            }
            _begun = null;
        }
        if (FileBytes(inputs) < MinimumInputBytes) return default;
        lock (Asking)
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return default;
            try
            {
                if (!GC.TryStartNoGCRegion(BudgetBytes)) return default;
            }
            catch (ArgumentOutOfRangeException)
            {
                // The budget exceeds what this collector can set aside (a heap hard limit).
                return default;
            }
        }
        // An object allocated now lies in the memory just committed for the budget: its mapping is the one to advise.
        bool hugePages = HugePageAdvice.AdviseMappingOf(new byte[1]);
        var filler = HeapPageFiller.Start();
        lock (Asking)
        {
            _filler?.Stop();
            _filler = filler;
        }
        return new HeapPreparation(Deferred: true, HugePages: hugePages, PagesFilled: filler is not null);
    }

    /// <summary>
    /// Ends the deferral once the run's flows have ended, with one collection (<see cref="HeldFlowHeap"/>, remarks).
    /// </summary>
    public static void Release()
    {
        lock (Asking)
        {
            _filler?.Stop();
            _filler = null;
        }
        // An induced collection ends a deferral still under way; after one that lapsed, it is one collection more.
        GC.Collect();
    }

    /// <summary>
    /// The bytes of the files <paramref name="inputs"/> names; standard input ("-"), named pipes, directories, missing
    /// files and names that are no path (a live interface's) count nothing.
    /// </summary>
    public static long FileBytes(IEnumerable<string> inputs) => inputs.Sum(input => CaptureFile.ExistingFile(input)?.Length ?? 0);
}

/// <summary>What <see cref="HeldFlowHeap.Prepare"/> did.</summary>
/// <param name="Deferred">The collector agreed to defer its collections.</param>
/// <param name="HugePages">Linux took the advice to back the budget with huge pages.</param>
/// <param name="PagesFilled">A thread fills the budget's pages ahead of the allocations (<see cref="HeapPageFiller"/>).</param>
public readonly record struct HeapPreparation(bool Deferred, bool HugePages, bool PagesFilled = false);
