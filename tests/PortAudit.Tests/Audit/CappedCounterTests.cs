using PortAudit.Audit;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A finding's counter lists its keys with most flows first, ties in key order, and sums the rest; the order is sorted
/// once for the reports that ask for it, and a flow counted after that asking is not lost from the next answer.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class CappedCounterTests
{
    private static CappedCounter<int> Counted(int capacity, params int[] keys)
    {
        var counter = new CappedCounter<int>(capacity);
        foreach (int key in keys) counter.Add(key);
        return counter;
    }

    [Fact]
    public void Top_lists_most_flows_first_and_ties_in_key_order()
    {
        var counter = Counted(10, 7, 3, 7, 5, 3, 9, 7);

        Assert.Equal([new(7, 3L), new(3, 2L), new(5, 1L), new(9, 1L)], counter.Top(10));
        Assert.Equal([new(7, 3L), new(3, 2L)], counter.Top(2));
        Assert.Empty(counter.Top(0));
    }

    [Fact]
    public void FlowsBeyond_sums_the_unlisted_keys_and_those_past_the_capacity()
    {
        var counter = Counted(3, 1, 1, 1, 2, 2, 3, 4, 5, 4);

        Assert.Equal(3, counter.Distinct);
        Assert.Equal(3, counter.OtherFlows);                     // 4, 5, 4 came after the counter was full
        Assert.Equal(1 + 3, counter.FlowsBeyond(2));             // key 3, and the three past the capacity
        Assert.Equal(2 + 1 + 3, counter.FlowsBeyond(1));
        Assert.Equal(9, counter.FlowsBeyond(0));
    }

    [Fact]
    public void A_flow_counted_after_the_top_was_asked_for_changes_the_next_answer()
    {
        var counter = Counted(10, 1, 2, 2);
        Assert.Equal(2, counter.Top(1)[0].Key);
        Assert.Equal(1, counter.FlowsBeyond(1));

        counter.Add(1);
        counter.Add(1);

        Assert.Equal([new(1, 3L), new(2, 2L)], counter.Top(5));
        Assert.Equal(2, counter.FlowsBeyond(1));
    }

    [Fact]
    public void Two_threads_asking_at_once_get_the_same_order()
    {
        var counter = new CappedCounter<int>(256);
        for (int i = 0; i < 256; i++)
            for (int n = 0; n <= i % 17; n++) counter.Add(i);
        var expected = Enumerable.Range(0, 256).Select(i => new KeyValuePair<int, long>(i, i % 17 + 1))
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(20).ToList();

        var answers = new IReadOnlyList<KeyValuePair<int, long>>[2];
        Parallel.For(0, 2, i => answers[i] = counter.Top(20));

        Assert.Equal(expected, answers[0]);
        Assert.Equal(expected, answers[1]);
    }

    [Fact]
    public void A_negative_count_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Counted(4, 1).Top(-1));
    }
}
