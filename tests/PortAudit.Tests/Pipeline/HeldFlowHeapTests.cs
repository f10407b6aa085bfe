using System.Runtime;
using PortAudit.Audit;
using PortAudit.Capture;
using PortAudit.Catalog;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using PortAudit.Tests.Live;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Pipeline;

/// <summary>
/// A run over large capture files holds the collector off until its flows have ended, in memory advised for huge pages,
/// then collects once; small files, standard input and a second run at once are left as they were. In the
/// process-wide collection: the deferral is the process's, and a test beside it could hold or spend it. Each test ends
/// a deferral it began itself.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
[Collection(ProcessWideAllocation.Name)]
public sealed class HeldFlowHeapTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        EndDeferral();
        _dir.Dispose();
    }

    private static void EndDeferral()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }

    /// <summary>Notes the collector's mode when flows end: the run's last work before its reports.</summary>
    private sealed class ModeAtFlowEnd : IFlowObserver
    {
        public List<GCLatencyMode> Modes { get; } = new();
        public List<int> Collections { get; } = new();
        public bool ReadsPackets => false;
        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow)
        {
            Modes.Add(GCSettings.LatencyMode);
            Collections.Add(GC.CollectionCount(0));
        }
    }

    /// <summary>A capture of <paramref name="frames"/> jumbo frames of one TCP flow: 9,040 bytes a record.</summary>
    private string Capture(string name, int frames)
    {
        var builder = new PcapBuilder();
        var frame = Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50000, 443, Ack, data: new byte[9000])));
        for (int i = 0; i < frames; i++) builder.Add(frame, i * 0.001);
        string path = _dir.File(name);
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    private static List<GCLatencyMode> ModesOfRun(IReadOnlyList<IFlowSource> sources)
    {
        var observer = new ModeAtFlowEnd();
        var run = new TrafficRun(new FlowTableOptions(), observer);
        run.Read(sources);
        Assert.Empty(run.Summary.Errors);
        return observer.Modes;
    }

    [Fact]
    public void LargeCaptureFilesAreReadWithoutCollectionsUntilTheirFlowsEnd()
    {
        // Two files of 36 MB: neither reaches the minimum alone, together they do.
        string first = Capture("a.pcap", 4_000), second = Capture("b.pcap", 4_000);
        Assert.True(HeldFlowHeap.FileBytes([first, second]) >= HeldFlowHeap.MinimumInputBytes);

        Assert.Equal([GCLatencyMode.NoGCRegion], ModesOfRun(CaptureFileSource.Of([first, second])));
        // Ended with the run, once its flows have ended.
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        // The commands' sources, which tell captures from flow records by their content, defer as well.
        Assert.Equal([GCLatencyMode.NoGCRegion], ModesOfRun(RecordFileSource.Of([first, second])));
        Assert.NotEqual([GCLatencyMode.NoGCRegion], ModesOfRun(CaptureFileSource.Of([first])));
    }

    [Fact]
    public void AnAuditCollectsWhenTheDeferralBeginsAndOnceItsFlowsHaveEnded()
    {
        string first = Capture("a.pcap", 4_000), second = Capture("b.pcap", 4_000);
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        var observer = new ModeAtFlowEnd();
        using var run = new AuditRun(context, new AuditSettings { OutputDirectory = _dir.File("audit") }, new FlowTableOptions(), observer);
        var sources = CaptureFileSource.Of([first, second]);
        int before = GC.CollectionCount(0);
        var outcome = run.Run(sources);

        // One collection when the deferral began, none while reading; one more once the flows had ended.
        Assert.Equal([GCLatencyMode.NoGCRegion], observer.Modes);
        Assert.Equal([before + 1], observer.Collections);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.True(GC.CollectionCount(0) > before + 1);
        Assert.Equal(8_000, outcome.Traffic.Traffic.Packets);
        Assert.True(File.Exists(_dir.File("audit/report.json")));
    }

    [Fact]
    public void ADeferralBegunBeforeTheRunIsSetUpIsTakenOverAndEndedByTheRun()
    {
        string first = Capture("a.pcap", 4_000), second = Capture("b.pcap", 4_000);
        HeldFlowHeap.Begin([first, second]);
        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        int begun = GC.CollectionCount(0);

        // The run starts no deferral of its own, which would collect again, and ends the one begun for it.
        var observer = new ModeAtFlowEnd();
        new TrafficRun(new FlowTableOptions(), observer).Read(CaptureFileSource.Of([first, second]));
        Assert.Equal([GCLatencyMode.NoGCRegion], observer.Modes);
        Assert.Equal([begun], observer.Collections);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void NothingIsBegunForLargeFilesThatAreNoCaptures()
    {
        // Flow records (a Zeek log, IPFIX) end as they arrive: their run never takes a deferral over.
        string records = _dir.File("conn.log");
        using (var file = File.Create(records)) file.SetLength(HeldFlowHeap.MinimumInputBytes + 1);
        HeldFlowHeap.Begin([records]);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void StandardInputMissingFilesDirectoriesAndInterfacesCountNothing()
    {
        string small = Capture("small.pcap", 10);
        long smallBytes = new FileInfo(small).Length;
        string missing = _dir.File("missing.pcap");

        Assert.Equal(smallBytes, HeldFlowHeap.FileBytes(["-", missing, small, _dir.Root, "live capture on eth0"]));
        Assert.False(HeldFlowHeap.Prepare([small]).Deferred);
    }

    [Fact]
    public void ASecondDeferralAtOnceIsRefusedAndASpentOneLapses()
    {
        string first = Capture("a.pcap", 4_000), second = Capture("b.pcap", 4_000);
        string[] inputs = [first, second];
        Assert.True(HeldFlowHeap.Prepare(inputs).Deferred);
        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        // Asked again, the collector would end the first deferral: it is not asked.
        Assert.Equal(default, HeldFlowHeap.Prepare(inputs));
        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);

        // Spend the budget: the collector collects, and the deferral is over.
        for (long spent = 0; spent <= HeldFlowHeap.BudgetBytes * 2; spent += 1 << 20) GC.KeepAlive(new byte[1 << 20]);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.True(HeldFlowHeap.Prepare(inputs).Deferred);
    }

    [HugePagesFact]
    public void TheBudgetsMappingIsAdvisedForHugePages()
    {
        string first = Capture("a.pcap", 4_000), second = Capture("b.pcap", 4_000);
        var heap = HeldFlowHeap.Prepare([first, second]);
        Assert.True(heap.Deferred);
        Assert.True(heap.HugePages);

        // An object allocated inside the budget lies in a mapping the kernel now counts as eligible for huge pages.
        object inside = new byte[64];
        long address = System.Runtime.CompilerServices.Unsafe.As<object, nint>(ref inside);
        Assert.Equal(1, EligibleForHugePages(address));
    }

    [PopulateFact]
    public void TheBudgetsPagesAreFilledUntilTheFlowsHaveEnded()
    {
        string first = Capture("a.pcap", 4_000), second = Capture("b.pcap", 4_000);
        var heap = HeldFlowHeap.Prepare([first, second]);
        Assert.True(heap.PagesFilled);
        var filler = HeldFlowHeap.Filler;
        Assert.NotNull(filler);

        HeldFlowHeap.Release();
        Assert.Null(HeldFlowHeap.Filler);
        Assert.True(filler.WaitEnded(TimeSpan.FromSeconds(10)));
        Assert.False(HeldFlowHeap.Prepare([first]).PagesFilled);
    }

    [Fact]
    public void MappingsAreFoundOnlyForAnonymousPrivateReadWriteLinesHoldingTheAddress()
    {
        const string heap = "7f4315000000-7f4326080000 rw-p 00000000 00:00 0 ";
        Assert.Equal((0x7f4315000000L, 0x7f4326080000L), HugePageAdvice.ParseMapping(heap, 0x7f4325c00048));
        Assert.Null(HugePageAdvice.ParseMapping(heap, 0x7f4326080000));
        Assert.Null(HugePageAdvice.ParseMapping(heap, 0x7f4314ffffff));
        Assert.Null(HugePageAdvice.ParseMapping("7f4315000000-7f4326080000 ---p 00000000 00:00 0", 0x7f4316000000));
        Assert.Null(HugePageAdvice.ParseMapping("7f4315000000-7f4326080000 rw-s 00000000 00:05 1234 /dev/zero (deleted)", 0x7f4316000000));
        Assert.Null(HugePageAdvice.ParseMapping("7f4315000000-7f4326080000 rw-p 00000000 00:00 0 [stack]", 0x7f4316000000));
        Assert.Null(HugePageAdvice.ParseMapping("7f4315000000-7f4326080000 rw-p 00001000 08:01 4242 /usr/lib/libc.so.6", 0x7f4316000000));
        Assert.Null(HugePageAdvice.ParseMapping("zz-7f4326080000 rw-p 00000000 00:00 0", 0x7f4316000000));
        Assert.Null(HugePageAdvice.ParseMapping("", 0));
    }

    /// <summary>The <c>THPeligible</c> value /proc/self/smaps gives the mapping holding <paramref name="address"/>.</summary>
    private static int EligibleForHugePages(long address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-'), space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.AllowHexSpecifier, null, out long start)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.AllowHexSpecifier, null, out long end))
                inside = address >= start && address < end;
            else if (inside && line.StartsWith("THPeligible:")) return int.Parse(line.AsSpan("THPeligible:".Length).Trim());
        }
        return -1;
    }
}

/// <summary>A test that needs Linux's transparent huge pages at "madvise" or "always"; skipped, with the reason, elsewhere.</summary>
public sealed class HugePagesFactAttribute : FactAttribute
{
    private const string Setting = "/sys/kernel/mm/transparent_hugepage/enabled";

    public HugePagesFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Setting)) Skip = $"{Setting} not found: no transparent huge pages here";
        else if (File.ReadAllText(Setting).Contains("[never]")) Skip = $"{Setting} is \"never\": huge pages are off on this machine";
    }
}
