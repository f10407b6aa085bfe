using System.Runtime.InteropServices;
using PortAudit.Capture.Live;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Live;

/// <summary>
/// The capture thread's real-time priority (<see cref="ReadingPriority"/>): raised for the read, put back after it, and
/// left alone where whoever started the process chose otherwise. Each case runs on a thread of its own, which ends
/// with it, so that no test runner's thread is left raised.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public partial class ReadingPriorityTests
{
    private const int Ordinary = 0;
    private const int FirstInFirstOut = 1;

    /// <summary>Runs <paramref name="work"/> on a thread of its own, which ends with it; rethrows its failure here.</summary>
    internal static T OnOwnThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new Xunit.Sdk.XunitException($"on the test's thread: {failure}");
        return result;
    }

    [RealTimeFact]
    public void RaisedToFifoForTheReadAndOrdinaryAgainAfter()
    {
        var (before, during, after, again, realTime, description) = OnOwnThread(() =>
        {
            int before = ReadingPriority.CurrentPolicy();
            var priority = ReadingPriority.Raise(wanted: true);
            int during = ReadingPriority.CurrentPolicy();
            priority.Restore();
            int after = ReadingPriority.CurrentPolicy();
            priority.Restore();
            return (before, during, after, ReadingPriority.CurrentPolicy(), priority.RealTime, priority.Description);
        });

        Assert.Equal(Ordinary, before);
        Assert.True(realTime, description);
        Assert.Equal("real-time (SCHED_FIFO 1)", description);
        Assert.Equal(FirstInFirstOut, during);
        Assert.Equal(Ordinary, after);
        Assert.Equal(Ordinary, again);
    }

    [LinuxFact]
    public void NotAskedLeavesTheThreadOrdinary()
    {
        var (during, realTime, description) = OnOwnThread(() =>
        {
            var priority = ReadingPriority.Raise(wanted: false);
            int during = ReadingPriority.CurrentPolicy();
            priority.Restore();
            return (during, priority.RealTime, priority.Description);
        });

        Assert.Equal(Ordinary, during);
        Assert.False(realTime);
        Assert.Equal("normal (real-time priority not asked for)", description);
    }

    [RealTimeFact]
    public void AThreadAlreadyRealTimeKeepsItsPolicyThroughASecondRead()
    {
        // As a process started under chrt: the read neither changes the thread's policy nor puts it back to ordinary.
        var (inner, afterInner, afterOuter, innerRealTime) = OnOwnThread(() =>
        {
            var outer = ReadingPriority.Raise(wanted: true);
            var second = ReadingPriority.Raise(wanted: true);
            second.Restore();
            int afterInner = ReadingPriority.CurrentPolicy();
            outer.Restore();
            return (second.Description, afterInner, ReadingPriority.CurrentPolicy(), second.RealTime);
        });

        Assert.False(innerRealTime);
        Assert.Equal("unchanged (scheduling policy 1, priority 1, as started)", inner);
        Assert.Equal(FirstInFirstOut, afterInner);
        Assert.Equal(Ordinary, afterOuter);
    }

    [LinuxFact]
    public void ANicedThreadIsLeftNiced()
    {
        var (during, description) = OnOwnThread(() =>
        {
            // Raising one's own nice value is always permitted; the thread ends with the case.
            Assert.Equal(0, SetPriority(0, 0, 5));
            var priority = ReadingPriority.Raise(wanted: true);
            return (ReadingPriority.CurrentPolicy(), priority.Description);
        });

        Assert.Equal(Ordinary, during);
        Assert.Equal("unchanged (niced to 5, as started)", description);
    }

    [LibraryImport("libc.so.6", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int nice);
}

/// <summary>
/// A test that needs real-time scheduling: Linux, and the permission (CAP_SYS_NICE or RLIMIT_RTPRIO); with
/// <c>live</c>, live capture on the loopback interface too; with <c>programs</c>, those programs on the PATH.
/// </summary>
public sealed class RealTimeFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public RealTimeFactAttribute(bool live = false, string? programs = null)
    {
        if (live && LiveFactAttribute.Reason is { } liveReason) Skip = liveReason;
        else if (Unavailable.Value is { } reason) Skip = $"real-time scheduling unavailable: {reason}";
        else if (programs?.Split(' ').FirstOrDefault(p => Programs.Find(p) is null) is { } missing)
            Skip = $"{missing} is not installed (apt-get install util-linux): check skipped";
    }

    private static string? Probe() => !OperatingSystem.IsLinux() ? "not Linux" : ReadingPriorityTests.OnOwnThread(() =>
    {
        var priority = ReadingPriority.Raise(wanted: true);
        priority.Restore();
        return priority.RealTime ? null : priority.Description;
    });
}
