namespace PortAudit.Flows;

/// <summary>
/// The time a set of flows covers: per input (a capture file, a flow-record file, a store's sensor), from the first
/// packet to the last, joined as a union of intervals. Two captures of a second each, years apart, cover two seconds,
/// not years; two sensors watching the same hour cover one hour, not two. Inputs are few, so the intervals are kept in
/// a small array and found by a linear scan that starts at the last one used.
/// </summary>
public sealed class CoveredTime
{
    private Interval[] _intervals = [];
    private int _count, _last;

    /// <summary>Widens the interval of <paramref name="input"/> (<see cref="Flow.Input"/>) to hold a flow from <paramref name="startNs"/> to <paramref name="endNs"/>.</summary>
    public void Add(int input, long startNs, long endNs)
    {
        if (_last >= _count || _intervals[_last].Input != input)
            _last = Find(input);
        ref var interval = ref _intervals[_last];
        if (startNs < interval.First) interval.First = startNs;
        if (endNs > interval.Last) interval.Last = endNs;
    }

    /// <summary>The latest packet of <paramref name="input"/>, nanoseconds since the epoch; <see cref="long.MinValue"/> when it had none.</summary>
    public long LastOf(int input)
    {
        for (int i = 0; i < _count; i++)
            if (_intervals[i].Input == input)
                return _intervals[i].Last;
        return long.MinValue;
    }

    private int Find(int input)
    {
        for (int i = 0; i < _count; i++)
            if (_intervals[i].Input == input)
                return i;
        if (_count == _intervals.Length)
            Array.Resize(ref _intervals, Math.Max(2, _count * 2));
        _intervals[_count] = new Interval { Input = input, First = long.MaxValue, Last = long.MinValue };
        return _count++;
    }

    /// <summary>True once a flow was added.</summary>
    public bool Any => _count > 0;

    /// <summary>Earliest packet of any input, nanoseconds since the epoch; 0 when none.</summary>
    public long FirstNs
    {
        get
        {
            long first = long.MaxValue;
            for (int i = 0; i < _count; i++) first = Math.Min(first, _intervals[i].First);
            return _count == 0 ? 0 : first;
        }
    }

    /// <summary>Latest packet of any input, nanoseconds since the epoch; 0 when none.</summary>
    public long LastNs
    {
        get
        {
            long last = long.MinValue;
            for (int i = 0; i < _count; i++) last = Math.Max(last, _intervals[i].Last);
            return _count == 0 ? 0 : last;
        }
    }

    /// <summary>
    /// Nanoseconds covered: the union of the inputs' intervals, which is their sum when inputs do not overlap, and never
    /// counts twice the time two inputs watched together.
    /// </summary>
    public long CoveredNs
    {
        get
        {
            var sorted = _intervals.AsSpan(0, _count).ToArray();
            Array.Sort(sorted, (a, b) => a.First.CompareTo(b.First));
            long covered = 0, runFirst = 0, runLast = long.MinValue;
            foreach (var interval in sorted)
            {
                if (interval.First > runLast)
                {
                    if (runLast != long.MinValue) covered += runLast - runFirst;
                    (runFirst, runLast) = (interval.First, interval.Last);
                }
                else if (interval.Last > runLast)
                    runLast = interval.Last;
            }
            return runLast == long.MinValue ? 0 : covered + runLast - runFirst;
        }
    }

    /// <summary><see cref="CoveredNs"/> as a time span (100 ns ticks).</summary>
    public TimeSpan Covered => TimeSpan.FromTicks(CoveredNs / 100);

    private struct Interval
    {
        public int Input;
        public long First, Last;
    }
}
