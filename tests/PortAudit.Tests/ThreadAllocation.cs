namespace PortAudit.Tests;

/// <summary>
/// Bytes a piece of code allocates on the calling thread, measured so that the runtime's own once-off work does not count:
/// a round in which the runtime tiers code up may put a few kilobytes on this thread (CI runs counted 6,016 and 8,040
/// bytes, never seen again), while an allocation of the code under test is in every round.
/// </summary>
internal static class ThreadAllocation
{
    /// <summary>The least that <paramref name="round"/> allocated on this thread over <paramref name="rounds"/> calls.</summary>
    public static long Least(int rounds, Action round)
    {
        long least = long.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
