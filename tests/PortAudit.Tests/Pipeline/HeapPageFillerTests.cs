using System.Runtime;
using System.Runtime.InteropServices;
using PortAudit.Pipeline;
using PortAudit.Tests.Flows;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Pipeline;

/// <summary>
/// The held flows' pages are faulted in by a thread beside the allocations: a region is populated without its contents
/// changing, refused memory is skipped, the guess ahead follows the allocations' last move of one region, the filler
/// never runs further ahead than its lead, and the deferral's end stops it.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
[Collection(ProcessWideAllocation.Name)]
public sealed class HeapPageFillerTests
{

    [Theory]
    [InlineData(0x7f0004000000, 0x7f0004400000, 0x7f0004800000)]
    [InlineData(0x7f0004400000, 0x7f0004000000, 0x7f0003c00000)]
    public void TheRegionAheadIsTheNextOneTheSameWay(long previous, long current, long expected) =>
        Assert.Equal(expected, HeapPageFiller.Ahead(previous, current));

    [Theory]
    [InlineData(0x7f0004000000, 0x7f0004000000)]
    [InlineData(0x7f0004000000, 0x7f0004800000)]
    [InlineData(0x7f0014000000, 0x7f0004000000)]
    public void NoRegionIsGuessedAfterAJumpOrNoMove(long previous, long current) =>
        Assert.Null(HeapPageFiller.Ahead(previous, current));

    [Fact]
    public void TheFillerStaysWithinItsLeadOfTheAllocations()
    {
        Assert.True(HeapPageFiller.WithinLead(0, 0));
        Assert.True(HeapPageFiller.WithinLead(HeapPageFiller.LeadBytes - 1, 0));
        Assert.False(HeapPageFiller.WithinLead(HeapPageFiller.LeadBytes, 0));
        Assert.True(HeapPageFiller.WithinLead(HeapPageFiller.LeadBytes + (10L << 20), (10L << 20) + 1));
        Assert.False(HeapPageFiller.WithinLead(HeapPageFiller.LeadBytes + (10L << 20), 10L << 20));
    }

    [PopulateFact]
    public void AFilledRegionIsResidentWithItsContentsUnchanged()
    {
        using var mapping = new AlignedMapping(AnonymousMapping.ReadWrite);
        long region = mapping.Region;
        Marshal.WriteInt64((nint)(region + 4096 * 7), 0x5ca1ab1e);
        Assert.Equal(1, ResidentPages(region));

        var filler = new HeapPageFiller();
        filler.Fill(region);

        Assert.Equal((int)(HeapPageFiller.RegionBytes / Environment.SystemPageSize), ResidentPages(region));
        Assert.Equal(0x5ca1ab1e, Marshal.ReadInt64((nint)(region + 4096 * 7)));
        Assert.Equal(0, Marshal.ReadInt64((nint)(region + HeapPageFiller.RegionBytes - 8)));
        Assert.Equal(1, filler.RegionsFilled);
    }

    [PopulateFact]
    public void ARegionIsFilledOnce()
    {
        using var mapping = new AlignedMapping(AnonymousMapping.ReadWrite);
        var filler = new HeapPageFiller();
        filler.Fill(mapping.Region);
        AnonymousMapping.DropPages(mapping.Region, HeapPageFiller.RegionBytes);
        filler.Fill(mapping.Region);
        Assert.Equal(0, ResidentPages(mapping.Region));
        Assert.Equal(1, filler.RegionsFilled);
    }

    [PopulateFact]
    public void MemoryNotCommittedIsLeftAlone()
    {
        using var mapping = new AlignedMapping(AnonymousMapping.NoAccess);
        var filler = new HeapPageFiller();
        filler.Fill(mapping.Region);
        Assert.Equal(0, ResidentPages(mapping.Region));
    }

    [PopulateFact]
    public void TheFillerFillsWhereTheDeferredAllocationsAreAndEndsWithTheDeferral()
    {
        Assert.True(GC.TryStartNoGCRegion(64L << 20));
        HeapPageFiller? filler = null;
        try
        {
            filler = HeapPageFiller.Start();
            Assert.NotNull(filler);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (filler.RegionsFilled == 0 && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.True(filler.RegionsFilled >= 1);

            // The region the allocations are in gets filled to its end, well ahead of them.
            object next = new byte[8_000];
            long last = (HugePageAdvice.AddressOf(next) | (HeapPageFiller.RegionBytes - 1)) & ~(Environment.SystemPageSize - 1L);
            // Were the allocations to move on first, the filler looks again once they have gone 256 KiB further.
            while (ResidentPages(last, 1) == 0 && DateTime.UtcNow < deadline)
            {
                GC.KeepAlive(new byte[16_000]);
                Thread.Sleep(5);
            }
            Assert.Equal(1, ResidentPages(last, 1));
            GC.KeepAlive(next);
        }
        finally
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
        Assert.True(filler!.WaitEnded(TimeSpan.FromSeconds(10)));
    }

    [PopulateFact]
    public void TheFillerLooksOnlyAsTheRunAllocates()
    {
        Assert.True(GC.TryStartNoGCRegion(64L << 20));
        try
        {
            long before = GC.GetTotalAllocatedBytes(precise: false);
            var filler = HeapPageFiller.Start();
            Assert.NotNull(filler);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (filler.Looks == 0 && DateTime.UtcNow < deadline) Thread.Sleep(5);
            // 200 wakes: were it to look at each, it would allocate 1.6 MB of probes by itself.
            Thread.Sleep(400);
            long allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
            filler.Stop();
            Assert.True(filler.WaitEnded(TimeSpan.FromSeconds(10)));
            Assert.InRange(filler.Looks, 1, 1 + allocated / HeapPageFiller.LookEveryBytes);
        }
        finally
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    [PopulateFact]
    public void StoppingEndsTheFillingThread()
    {
        Assert.True(GC.TryStartNoGCRegion(64L << 20));
        try
        {
            var filler = HeapPageFiller.Start();
            Assert.NotNull(filler);
            filler.Stop();
            Assert.True(filler.WaitEnded(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    // Resident pages of a region, or of the first pages from start.
    private static int ResidentPages(long start, int pages = 0) =>
        AnonymousMapping.ResidentPages(start, pages == 0 ? (int)(HeapPageFiller.RegionBytes / Environment.SystemPageSize) : pages);

    /// <summary>A mapping of twice a region, with one region inside it aligned as the collector's are.</summary>
    private sealed class AlignedMapping : IDisposable
    {
        private readonly AnonymousMapping _mapping;

        public AlignedMapping(int protection)
        {
            _mapping = new AnonymousMapping(2 * HeapPageFiller.RegionBytes, protection);
            Region = (_mapping.Start + HeapPageFiller.RegionBytes - 1) & ~(HeapPageFiller.RegionBytes - 1);
        }

        public long Region { get; }

        public void Dispose() => _mapping.Dispose();
    }
}

/// <summary>A test that needs Linux 5.14 or later (<c>MADV_POPULATE_WRITE</c>); skipped, with the reason, elsewhere.</summary>
public sealed class PopulateFactAttribute : FactAttribute
{
    public PopulateFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "not Linux: no madvise(MADV_POPULATE_WRITE)";
        else if (Environment.OSVersion.Version < new Version(5, 14)) Skip = $"Linux {Environment.OSVersion.Version} is older than 5.14: no madvise(MADV_POPULATE_WRITE)";
    }
}
