using System.Runtime;

namespace PortAudit.Pipeline;

/// <summary>
/// Faults in the memory the held flows are about to be allocated in, on a thread of its own (<c>portaudit-heap</c>),
/// while the collector defers its collections (<see cref="HeldFlowHeap"/>): the region the allocations have reached and
/// the one they will likely reach next are backed with huge pages and populated (<c>madvise(MADV_HUGEPAGE)</c>, then
/// <c>MADV_POPULATE_WRITE</c>). The kernel maps and clears each page as a first write would, without writing to it, so
/// the flow-table thread finds its next pages ready.
/// </summary>
/// <remarks>
/// <para>
/// Without it the thread that allocates pays for each fresh page: the collector clears the memory it hands out, the
/// first write faults, and the kernel clears the page, on this project's virtual machine a trap to the hypervisor as
/// well. On the corpus that was about a sixth of the flow-table thread's samples, on the thread every other one waits
/// for. Here it moves to a core the read leaves partly idle. On one core the work is the same, done by another thread.
/// </para>
/// <para>
/// The collector hands out its young generation in regions of <see cref="RegionBytes"/>, and not in address order: on
/// the corpus they ran downwards region by region, then jumped, then ran upwards. So the filler looks where the
/// allocations are by allocating a small array of its own, every <see cref="WakeMilliseconds"/> ms while the run
/// allocates (too large for what is left of its allocation context, it lands where the next allocation would), fills
/// that region, and fills the next one in the direction the allocations last moved by one region. A guess that proves wrong only makes memory the
/// collector committed for the deferral resident early; the filler never holds more than <see cref="LeadBytes"/> filled
/// beyond what the run has allocated since it began.
/// </para>
/// <para>
/// Populating never changes memory's contents: what the collector has placed in a page stays as it is. Memory that is
/// not mapped read-write (outside the committed heap) is refused by the kernel and skipped. A kernel without
/// <c>MADV_POPULATE_WRITE</c> (before Linux 5.14) refuses the advice itself, and no filler starts.
/// </para>
/// </remarks>
internal sealed class HeapPageFiller
{
    /// <summary>The collector's basic region size on 64-bit platforms (.NET 7 and later).</summary>
    internal const long RegionBytes = 4L << 20;

    /// <summary>At most this many bytes are filled beyond those allocated since the filler began: one region ahead and one guessed wrong.</summary>
    internal const long LeadBytes = 2 * RegionBytes;

    // The corpus audit allocates about 0.2 MB per millisecond while reading: a region lasts 20 ms, so a look every 2 ms
    // finds a new region when a tenth of it is used.
    private const int WakeMilliseconds = 2;
    // Larger than what an 8 KiB allocation context has left after the previous probe: each lands at a fresh context.
    private const int ProbeBytes = 8_000;

    /// <summary>
    /// The filler looks where the allocations are (allocating a probe) only once the run has allocated this much since
    /// it last looked: a run that allocates little, such as one over long bulk transfers, is not filled with probes
    /// and the pages they would take. At the corpus's pace (about 0.4 MB per wake) the filler still looks at every
    /// wake; probes are at most 3% of what is allocated.
    /// </summary>
    internal const long LookEveryBytes = 256L << 10;

    private const int MadvPopulateWrite = 23;

    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: false);
    private readonly HashSet<long> _filled = [];
    private readonly ManualResetEventSlim _stop = new();
    private int _looks;
    private Thread? _thread;

    /// <summary>A filler that fills only when asked (<see cref="Fill"/>); <see cref="Start"/> starts one that fills by itself.</summary>
    internal HeapPageFiller()
    {
    }

    /// <summary>Starts filling on a thread of its own; null elsewhere than on Linux, or where the kernel cannot populate.</summary>
    public static HeapPageFiller? Start()
    {
        if (!CanPopulate()) return null;
        var filler = new HeapPageFiller();
        filler._thread = new Thread(filler.Run) { IsBackground = true, Name = "portaudit-heap" };
        filler._thread.Start();
        return filler;
    }

    /// <summary>Stops filling: the deferral is over, and the collector collects and reuses its regions again.</summary>
    public void Stop() => _stop.Set();

    /// <summary>Waits up to <paramref name="timeout"/> for the filling thread to end; true when it has.</summary>
    internal bool WaitEnded(TimeSpan timeout) => _thread?.Join(timeout) ?? true;

    /// <summary>Regions filled so far.</summary>
    public int RegionsFilled
    {
        get
        {
            lock (_filled) return _filled.Count;
        }
    }

    /// <summary>Times the filler has looked where the allocations are.</summary>
    internal int Looks => Volatile.Read(ref _looks);

    /// <summary>
    /// The region the allocations will likely reach after <paramref name="current"/>, having come to it from
    /// <paramref name="previous"/>: the next one the same way when they moved by one region, none when they jumped.
    /// </summary>
    internal static long? Ahead(long previous, long current) =>
        Math.Abs(current - previous) == RegionBytes ? current + (current - previous) : null;

    /// <summary>Whether a region more may be filled, <paramref name="filledBytes"/> filled and <paramref name="allocatedBytes"/> allocated.</summary>
    internal static bool WithinLead(long filledBytes, long allocatedBytes) => filledBytes < allocatedBytes + LeadBytes;

    /// <summary>
    /// Backs the region at <paramref name="region"/> (aligned to <see cref="RegionBytes"/>) with huge pages where the
    /// kernel allows, and populates it, once; what the kernel refuses is left as it is.
    /// </summary>
    internal void Fill(long region)
    {
        lock (_filled)
            if (!_filled.Add(region)) return;
        // Both are advice: a guess outside the committed heap is refused, and a refused huge page leaves small ones.
        _ = HugePageAdvice.Madvise((nint)region, (nuint)RegionBytes, HugePageAdvice.MadvHugePage);
        _ = HugePageAdvice.Madvise((nint)region, (nuint)RegionBytes, MadvPopulateWrite);
    }

    private void Run()
    {
        long? previous = null;
        long? ahead = null;
        long lookedAt = -LookEveryBytes;
        for (; !_stop.IsSet && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion; _stop.Wait(WakeMilliseconds))
        {
            long allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocatedAtStart;
            if (allocated - lookedAt < LookEveryBytes) continue;
            lookedAt = allocated;
            Interlocked.Increment(ref _looks);
            long region = RegionOf(HugePageAdvice.AddressOf(new byte[ProbeBytes]));
            if (region != previous)
            {
                ahead = previous is { } from ? Ahead(from, region) : null;
                previous = region;
            }
            Fill(region);
            if (ahead is { } next && WithinLead(RegionsFilled * RegionBytes, allocated)) Fill(next);
        }
    }

    // Populates the page of a fresh array: a kernel that does not know the advice refuses it.
    private static bool CanPopulate()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            long page = HugePageAdvice.AddressOf(new byte[ProbeBytes]) & ~(Environment.SystemPageSize - 1L);
            return HugePageAdvice.Madvise((nint)page, (nuint)Environment.SystemPageSize, MadvPopulateWrite) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static long RegionOf(long address) => address & ~(RegionBytes - 1);
}
