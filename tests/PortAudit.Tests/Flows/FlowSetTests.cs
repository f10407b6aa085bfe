using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Tests.Flows;

/// <summary>
/// The flow table's set against a dictionary doing the same adds, finds and removes: open addressing with backward-shift
/// deletion must find every flow held and nothing else, across growth and wrap-around, and shrink the memory per flow.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class FlowSetTests
{
    private static Flow NewFlow(int i, Random random)
    {
        // Few hosts and close ports: many keys share their addresses, as a scan or a busy server's flows do.
        var client = IpAddr.FromV4((uint)(0x0A000000 | random.Next(8)));
        var server = IpAddr.FromV4((uint)(0x0A000100 | random.Next(4)));
        return new Flow(i, IpProtocol.Tcp, client, (ushort)(1024 + i % 60000), server, (ushort)(i / 60000 + 1), i, opened: true);
    }

    [Fact]
    public void AddsFindsAndRemovesAsADictionaryDoesThroughGrowthAndChurn()
    {
        var random = new Random(7);
        var set = new FlowSet(16);
        var reference = new Dictionary<FlowKey, Flow>();
        var held = new List<FlowKey>();
        for (int i = 0; i < 200_000; i++)
        {
            if (held.Count > 0 && random.Next(3) == 0)
            {
                int pick = random.Next(held.Count);
                var gone = held[pick];
                held[pick] = held[^1];
                held.RemoveAt(held.Count - 1);
                var goneFlow = reference[gone];
                Assert.True(set.Remove(goneFlow));
                Assert.False(set.Remove(goneFlow));
                reference.Remove(gone);
                Assert.Null(set.Find(gone));
                continue;
            }
            var flow = NewFlow(i, random);
            var key = FlowKey.Of(flow);
            ref var slot = ref set.FindOrAdd(key, out bool exists);
            Assert.Equal(reference.ContainsKey(key), exists);
            if (exists)
            {
                Assert.Same(reference[key], slot);
                continue;
            }
            slot = flow;
            reference[key] = flow;
            held.Add(key);
        }
        Assert.Equal(reference.Count, set.Count);
        foreach (var (key, flow) in reference) Assert.Same(flow, set.Find(key));
        var walked = new List<Flow>();
        foreach (var flow in set) walked.Add(flow);
        Assert.Equal(reference.Values.Select(f => f.Id).Order(), walked.Select(f => f.Id).Order());
        set.Clear();
        Assert.Equal(0, set.Count);
        Assert.All(reference.Keys.Take(100), k => Assert.Null(set.Find(k)));
    }
}

/// <summary>
/// What a held flow costs with the table that holds it, counted over the whole process: run alone, so that no other
/// test's allocations are counted.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
[Collection(ProcessWideAllocation.Name)]
public class HeldFlowMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void AHeldFlowCostsAtMostThreeHundredBytesWithTheTable()
    {
        // The flows of a SYN scan: no payload, so nothing but the flow and the table's room for it. Counted at the worst
        // point of the table's growth, just past a doubling, and at the best, just before one.
        foreach (int flows in new[] { 98_305, 196_607 })
        {
            long before = GC.GetTotalMemory(forceFullCollection: true);
            var table = new FlowTable(new FlowTableOptions());
            for (int i = 0; i < flows; i++)
            {
                var packet = Builders.Packets.Ethernet(Builders.Packets.Ipv4($"10.1.{i >> 16}.{(i >> 8) & 255}", "10.2.0.1", 6,
                    Builders.Packets.Tcp((ushort)(1024 + (i & 255)), 445, Builders.Packets.Syn)));
                Assert.Equal(DecodeStatus.Ok, PacketDecoder.Decode(1, packet, out var decoded));
                table.Add(ref decoded, packet, 1_000_000_000L + i);
            }
            Assert.Equal(flows, table.ActiveFlows);
            long after = GC.GetTotalMemory(forceFullCollection: true);
            double perFlow = (double)(after - before) / flows;
            GC.KeepAlive(table);
            output.WriteLine($"{flows} flows held: {perFlow:0} bytes each");
            Assert.True(perFlow <= 300, $"{perFlow:0} bytes per held flow at {flows} flows");
        }
    }
}
