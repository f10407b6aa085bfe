using PortAudit.Capture.Live;
using PortAudit.Decode;

namespace PortAudit.Tests.Live;

/// <summary>
/// The standby reader's parts that need no interface: the spill buffer keeps packets in the order taken with their
/// source, and the ring gate lets the standby read the kernel's buffer only during the capture thread's wait it saw.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class StandbyPartsTests
{
    private const int Ethernet = 1;
    private const int RawIp = 101;

    [Fact]
    public void TheSpillBufferGivesPacketsBackInTheirOrderWithTheirSourceAndFields()
    {
        var spill = new SpillBuffer(4096);
        spill.Add(0, new PacketRecord(new byte[] { 1, 2, 3 }, 1_000, 60, Ethernet, 0));
        spill.Add(1, new PacketRecord(new byte[] { 4, 5 }, 2_000, 1500, RawIp, 0));
        Assert.Equal(2, spill.Pending);
        Assert.Equal(5, spill.BytesHeld);

        Assert.True(spill.TryTake(77, out int first, out var a));
        Assert.Equal(0, first);
        Assert.Equal(new byte[] { 1, 2, 3 }, a.Data.ToArray());
        Assert.Equal((1_000L, 60, Ethernet, 77L), (a.TimestampNs, a.OriginalLength, a.LinkType, a.FileOffset));
        Assert.True(spill.TryTake(80, out int second, out var b));
        Assert.Equal(1, second);
        Assert.Equal(new byte[] { 4, 5 }, b.Data.ToArray());
        Assert.Equal((2_000L, 1500, RawIp), (b.TimestampNs, b.OriginalLength, b.LinkType));
        Assert.False(spill.TryTake(82, out int none, out _));
        Assert.Equal(-1, none);
        Assert.Equal(0, spill.Pending);
    }

    [Fact]
    public void TheSpillBufferRefusesWhatDoesNotFitAndStartsOverOnceRead()
    {
        // 256 bytes: room for four entries (one per 64 bytes) and 256 bytes of data.
        var spill = new SpillBuffer(256);
        var packet = new byte[100];
        Assert.False(spill.HasRoomFor(257));
        spill.Add(0, new PacketRecord(packet, 1, 100, Ethernet, 0));
        spill.Add(0, new PacketRecord(packet, 2, 100, Ethernet, 0));
        Assert.True(spill.HasRoomFor(56));
        Assert.False(spill.HasRoomFor(57));
        spill.Add(0, new PacketRecord(new byte[10], 3, 10, Ethernet, 0));
        spill.Add(0, new PacketRecord(new byte[10], 4, 10, Ethernet, 0));
        Assert.False(spill.HasRoomFor(1)); // four entries: the entries are full before the bytes

        while (spill.TryTake(0, out _, out _)) { }
        Assert.True(spill.HasRoomFor(256)); // read out: all its room again
        spill.Add(0, new PacketRecord(new byte[256], 5, 256, Ethernet, 0));
        Assert.Equal(256, spill.BytesHeld);
        Assert.True(spill.TryTake(0, out _, out var last));
        Assert.Equal(5, last.TimestampNs);
    }

    [Fact]
    public void TheStandbyTakesTheBufferOnlyDuringTheWaitItSaw()
    {
        var gate = new RingGate();
        Assert.False(gate.IsFree);
        Assert.False(gate.TryTake(gate.Waits)); // the capture thread holds it

        gate.Release();
        long seen = gate.Waits;
        gate.Reclaim();
        gate.Release(); // woke and waits again: another wait
        Assert.False(gate.TryTake(seen));
        Assert.True(gate.IsFree); // a refused take leaves the buffer free

        Assert.True(gate.TryTake(gate.Waits));
        Assert.False(gate.IsFree);
        gate.Return();
        Assert.True(gate.IsFree);
    }

    [Fact]
    public void TheCaptureThreadTakesTheBufferBackOnlyOnceTheStandbyReturnedIt()
    {
        var gate = new RingGate();
        gate.Release();
        Assert.True(gate.TryTake(gate.Waits));
        bool reclaimed = false;
        var capture = new Thread(() =>
        {
            gate.Reclaim();
            Volatile.Write(ref reclaimed, true);
        });
        capture.Start();
        Assert.False(capture.Join(TimeSpan.FromMilliseconds(200)), "the capture thread took the buffer while the standby held it");
        Assert.False(Volatile.Read(ref reclaimed));
        gate.Return();
        Assert.True(capture.Join(TimeSpan.FromSeconds(10)), "the capture thread did not take the buffer back");
        Assert.False(gate.IsFree);
    }

    [Fact]
    public void TheStandbyLooksOftenOnlyWhileTheCaptureThreadWakesOften()
    {
        var pace = new StandbyPace();
        Assert.Equal(StandbyPace.QuietMilliseconds, pace.Next(0));
        Assert.Equal(StandbyPace.QuietMilliseconds, pace.Next(1)); // one wake in a quiet tick: a timeout
        Assert.Equal(StandbyPace.BusyMilliseconds, pace.Next(3)); // two: a busy link
        for (int tick = 1; tick < 10; tick++)
            Assert.Equal(StandbyPace.BusyMilliseconds, pace.Next(3)); // a capture thread late in its wait stays watched
        Assert.Equal(StandbyPace.QuietMilliseconds, pace.Next(3)); // ten ticks without a wake: quiet again
        Assert.Equal(StandbyPace.BusyMilliseconds, pace.Next(10));
        Assert.Equal(StandbyPace.BusyMilliseconds, pace.Next(10));
        Assert.Equal(StandbyPace.BusyMilliseconds, pace.Next(11)); // a wake starts the count of still ticks again
    }
}
