using System.Runtime;
using System.Runtime.InteropServices;
using PortAudit.Pipeline;
using PortAudit.Tests.Flows;

namespace PortAudit.Tests.Pipeline;

/// <summary>
/// The held flows' pages are faulted in by a thread beside the allocations: a region is populated without its contents
/// changing, refused memory is skipped, the guess ahead follows the allocations' last move of one region, the filler
/// never runs further ahead than its lead, and the deferral's end stops it.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
[Collection(ProcessWideAllocation.Name)]
public sealed partial class HeapPageFillerTests
{
    internal const int ProtRead = 1, ProtWrite = 2, ProtNone = 0;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

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
        using var mapping = new AlignedMapping(ProtRead | ProtWrite);
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
        using var mapping = new AlignedMapping(ProtRead | ProtWrite);
        var filler = new HeapPageFiller();
        filler.Fill(mapping.Region);
        Advise((nint)mapping.Region, (nuint)HeapPageFiller.RegionBytes, MadvDontNeed);
        filler.Fill(mapping.Region);
        Assert.Equal(0, ResidentPages(mapping.Region));
        Assert.Equal(1, filler.RegionsFilled);
    }

    [PopulateFact]
    public void MemoryNotCommittedIsLeftAlone()
    {
        using var mapping = new AlignedMapping(ProtNone);
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

    /// <summary>Pages of <paramref name="pages"/> (a region's by default) from <paramref name="start"/> that are resident (<c>mincore</c>).</summary>
    internal static int ResidentPages(long start, int pages = 0)
    {
        if (pages == 0) pages = (int)(HeapPageFiller.RegionBytes / Environment.SystemPageSize);
        var vector = new byte[pages];
        Assert.Equal(0, MinCore((nint)start, (nuint)(pages * (long)Environment.SystemPageSize), vector));
        return vector.Count(b => (b & 1) != 0);
    }

    /// <summary>A private anonymous mapping of twice a region, with one region inside it aligned as the collector's are.</summary>
    internal sealed class AlignedMapping : IDisposable
    {
        private readonly nint _base;
        private const long Length = 2 * HeapPageFiller.RegionBytes;

        public AlignedMapping(int protection)
        {
            _base = Map(0, (nuint)Length, protection, MapPrivate | MapAnonymous, -1, 0);
            Assert.NotEqual(-1, (long)_base);
            Region = ((long)_base + HeapPageFiller.RegionBytes - 1) & ~(HeapPageFiller.RegionBytes - 1);
        }

        public long Region { get; }

        public void Dispose() => Unmap(_base, (nuint)Length);
    }

    private const int MadvDontNeed = 4;

    [LibraryImport("libc.so.6", EntryPoint = "mmap")]
    private static partial nint Map(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc.so.6", EntryPoint = "munmap")]
    private static partial int Unmap(nint address, nuint length);

    [LibraryImport("libc.so.6", EntryPoint = "mincore")]
    private static partial int MinCore(nint address, nuint length, [Out] byte[] vector);

    [LibraryImport("libc.so.6", EntryPoint = "madvise")]
    private static partial int Advise(nint address, nuint length, int advice);
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
