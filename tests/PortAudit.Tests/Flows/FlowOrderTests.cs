using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Tests.Flows;

/// <summary>
/// The order a table ends its held flows in: by first packet, then id, whether the set is sorted on one thread or split
/// between two and merged, and however many flows share a time.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class FlowOrderTests
{
    private static FlowSet Held(int count, Func<int, long> startOf)
    {
        var set = new FlowSet(16);
        // Ids out of step with starts, so that an order by id alone is wrong wherever starts disagree.
        var random = new Random(11);
        foreach (int id in Enumerable.Range(1, count).OrderBy(_ => random.Next()))
        {
            var flow = new Flow(id, IpProtocol.Udp, IpAddr.FromV4((uint)(0x0A000000 | id)), 5060, IpAddr.FromV4(0x0A0100FE), 5060, startOf(id), opened: false);
            set.FindOrAdd(FlowKey.Of(flow), out bool exists) = flow;
            Assert.False(exists);
        }
        return set;
    }

    private static List<(long, long)> Expected(FlowSet set)
    {
        var all = new List<Flow>();
        foreach (var flow in set) all.Add(flow);
        return all.Select(f => (f.StartNs, f.Id)).Order().ToList();
    }

    [Theory]
    // Below the split and above it: one thread, then two halves merged.
    [InlineData(5_000)]
    [InlineData(FlowOrder.SplitAbove + 20_001)]
    public void HeldFlowsComeByStartThenIdOnOneThreadOrTwo(int count)
    {
        // Starts in few distinct values, so that most flows tie and the ids must order them, across the two halves too.
        var set = Held(count, id => 1_000_000L * ((id * 7919L) % 97));
        var sorted = FlowOrder.SortHeld(set);
        Assert.Equal(Expected(set), sorted.Select(f => (f.StartNs, f.Id)).ToList());
    }

    [Fact]
    public void FlowsThatAllShareOneTimeComeById()
    {
        // A capture whose packets carry no time (all zero): one run of ties as long as the set.
        var set = Held(FlowOrder.SplitAbove + 1, _ => 0);
        Assert.Equal(Enumerable.Range(1, FlowOrder.SplitAbove + 1).Select(i => (long)i), FlowOrder.SortHeld(set).Select(f => f.Id));
    }
}
