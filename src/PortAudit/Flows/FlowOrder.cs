using System.Diagnostics;

namespace PortAudit.Flows;

/// <summary>
/// Puts the flows a table ends together in the order it ends them: by a time (the first packet's or the last's), ids
/// breaking ties, so that the order never depends on the table's slots.
/// </summary>
/// <remarks>
/// The times are sorted as plain 64-bit keys beside the flows, which the runtime compares without a call; a key of
/// (time, id) pairs went through the pair's comparer at each comparison, and took a fifth longer on the bench corpus.
/// Equal times are rare (the capture's clock ticks in microseconds or finer), so the runs of them are sorted by id
/// afterwards, each with the same sort, which keeps a capture whose packets all carry one time at n log n.
/// </remarks>
internal static class FlowOrder
{
    /// <summary>The fewest flows that <see cref="SortHeld(FlowSet)"/> splits between two threads: below it the split costs more than it saves.</summary>
    public const int SplitAbove = 65_536;

    /// <summary>
    /// Puts every flow of <paramref name="set"/> into <paramref name="flows"/> by last packet and then id, with
    /// <paramref name="times"/> as scratch (both at least the set's size, reused by the caller so that evicting
    /// allocates nothing).
    /// </summary>
    public static void SortByLastPacket(FlowSet set, long[] times, Flow[] flows)
    {
        int n = Fill(set.InSlots(0, set.Slots), times, flows, 0, 1, lastPacket: true);
        Sort(times, flows, n);
    }

    private static void Sort(long[] times, Flow[] flows, int count)
    {
        Array.Sort(times, flows, 0, count);
        BreakTies(times, flows, count);
    }

    /// <summary>
    /// Every flow of <paramref name="set"/>, by first packet and then id. A large set (the end of input, when nearly every
    /// flow of a capture is still held) is read and sorted in two halves on two threads, then merged: that is serial work
    /// on the table's thread, with the other core otherwise idle.
    /// </summary>
    public static Flow[] SortHeld(FlowSet set) => SortHeld(set, out _, split: true);

    /// <summary>
    /// As <see cref="SortHeld(FlowSet)"/>, with the first packet's time of each flow at its place in
    /// <paramref name="starts"/>: the arrays the sort used, handed on rather than made again when the flows are merged
    /// with another table's (a large array made at the end of input can start a full collection of a heap that holds
    /// every flow). Without <paramref name="split"/> the set is sorted on this thread alone: a split run's shards sort
    /// theirs at once, on threads of their own.
    /// </summary>
    public static Flow[] SortHeld(FlowSet set, out long[] starts, bool split)
    {
        int count = set.Count;
        var times = new long[count];
        var flows = new Flow[count];
        if (!split || count <= SplitAbove || Environment.ProcessorCount == 1)
        {
            int n = Fill(set.InSlots(0, set.Slots), times, flows, 0, 1, lastPacket: false);
            Debug.Assert(n == count);
            Sort(times, flows, count);
            starts = times;
            return flows;
        }
        // The first half of the slots fills the arrays from the front, the second from the back: together they fill them
        // exactly, without counting first.
        int middle = set.Slots / 2;
        var back = Task.Run(() =>
        {
            int n = Fill(set.InSlots(middle, set.Slots), times, flows, count - 1, -1, lastPacket: false);
            Array.Sort(times, flows, count - n, n);
        });
        int front = Fill(set.InSlots(0, middle), times, flows, 0, 1, lastPacket: false);
        Array.Sort(times, flows, 0, front);
        back.GetAwaiter().GetResult();
        var (mergedTimes, merged) = Merge(times, flows, front, count);
        BreakTies(mergedTimes, merged, count);
        starts = mergedTimes;
        return merged;
    }

    private static int Fill(FlowSet.Enumerator slots, long[] times, Flow[] flows, int at, int step, bool lastPacket)
    {
        int n = 0;
        foreach (var flow in slots)
        {
            times[at] = lastPacket ? flow.EndNs : flow.StartNs;
            flows[at] = flow;
            at += step;
            n++;
        }
        return n;
    }

    // Merges the sorted runs [0, middle) and [middle, count) into new arrays, by time alone: ties are broken after.
    private static (long[] Times, Flow[] Flows) Merge(long[] times, Flow[] flows, int middle, int count)
    {
        var outTimes = new long[count];
        var outFlows = new Flow[count];
        int a = 0, b = middle, o = 0;
        while (a < middle && b < count)
        {
            if (times[b] < times[a])
            {
                outTimes[o] = times[b];
                outFlows[o++] = flows[b++];
            }
            else
            {
                outTimes[o] = times[a];
                outFlows[o++] = flows[a++];
            }
        }
        for (; a < middle; a++, o++) (outTimes[o], outFlows[o]) = (times[a], flows[a]);
        for (; b < count; b++, o++) (outTimes[o], outFlows[o]) = (times[b], flows[b]);
        return (outTimes, outFlows);
    }

    // Sorts each run of equal times by id: the run's times are overwritten with the ids for the sort, then put back.
    private static void BreakTies(long[] times, Flow[] flows, int count)
    {
        int start = 0;
        while (start < count)
        {
            int end = start + 1;
            while (end < count && times[end] == times[start]) end++;
            if (end - start > 1)
            {
                long time = times[start];
                for (int i = start; i < end; i++) times[i] = flows[i].Id;
                Array.Sort(times, flows, start, end - start);
                Array.Fill(times, time, start, end - start);
            }
            start = end;
        }
    }
}
