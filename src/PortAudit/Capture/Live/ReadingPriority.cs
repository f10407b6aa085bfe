using System.Diagnostics;
using System.Runtime.InteropServices;
using PortAudit.Common;

namespace PortAudit.Capture.Live;

/// <summary>
/// The scheduling of the thread that empties the kernel's capture buffer: real-time for the read, put back after it.
/// The kernel's buffer holds a few milliseconds of a busy link; when that thread waits behind the run's other threads for
/// the core they share, the buffer overflows although the thread has time enough on average. At the lowest real-time
/// priority (SCHED_FIFO 1) it runs as soon as packets wake it, ahead of every ordinary thread, and it cannot keep the
/// core for long: it blocks when the buffer is empty and when the flow table's thread is behind (the batches handed on
/// are bounded), and the kernel keeps a share of every second for ordinary threads in any case.
/// </summary>
public sealed partial class ReadingPriority
{
    // sched(7): the ordinary policy, FIFO, and the lowest static priority of a real-time policy.
    private const int Ordinary = 0;
    private const int FirstInFirstOut = 1;
    private const int LowestRealTime = 1;
    // sched_setscheduler(2) and getpriority(2) with 0 act on the calling thread, not on the whole process.
    private const int CallingThread = 0;
    private const int ProcessPriority = 0;
    private const int PermissionDenied = 1;

    private readonly int _thread; // managed id: restoring must happen on the thread raised
    private bool _restored;

    private ReadingPriority(string description, int thread = 0)
    {
        Description = description;
        _thread = thread;
    }

    /// <summary>True when the reading thread runs at real-time priority.</summary>
    public bool RealTime { get; private init; }

    /// <summary>What the read runs at, and why not real-time when it is not: for the log.</summary>
    public string Description { get; }

    /// <summary>
    /// Raises the calling thread (the one that will read) to real-time priority when <paramref name="wanted"/> and the
    /// process is permitted. Anything else leaves the thread as it was and says why; nothing is thrown, since the
    /// capture runs either way.
    /// </summary>
    public static ReadingPriority Raise(bool wanted)
    {
        if (!wanted) return new("normal (real-time priority not asked for)");
        if (!OperatingSystem.IsLinux()) return new("normal (real-time priority is only asked for on Linux)");
        int policy = Native.GetScheduler(CallingThread);
        var before = new Native.Parameter();
        if (policy < 0 || Native.GetParameter(CallingThread, ref before) != 0)
            return new($"unchanged (reading the thread's scheduling failed: errno {Marshal.GetLastPInvokeError()})");
        // Whoever started the process under chrt, or niced it, chose its priority: the read keeps that choice.
        if (policy != Ordinary) return new($"unchanged (scheduling policy {policy}, priority {before.Priority}, as started)");
        // getpriority(2) may return -1 as a value: errno, cleared before the call, tells a failure apart.
        int nice = Native.GetPriority(ProcessPriority, CallingThread);
        if (nice > 0 && Marshal.GetLastPInvokeError() == 0) return new($"unchanged (niced to {nice}, as started)");
        var raised = new Native.Parameter { Priority = LowestRealTime };
        if (Native.SetScheduler(CallingThread, FirstInFirstOut, ref raised) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return new(errno == PermissionDenied
                ? "normal (real-time priority not permitted: it needs CAP_SYS_NICE or an RLIMIT_RTPRIO above 0)"
                : $"normal (real-time priority refused: errno {errno})");
        }
        return new($"real-time (SCHED_FIFO {LowestRealTime})", Environment.CurrentManagedThreadId) { RealTime = true };
    }

    /// <summary>
    /// Puts the thread back as it was before <see cref="Raise"/>, ordinary (only an ordinary thread is raised, and its
    /// static priority is always 0); called on that thread once its read has ended, so that a thread borrowed from a
    /// pool goes back ordinary. Does nothing the second time.
    /// </summary>
    public void Restore()
    {
        if (!RealTime || _restored) return;
        _restored = true;
        Debug.Assert(Environment.CurrentManagedThreadId == _thread, "restored on the thread that was raised");
        var ordinary = new Native.Parameter { Priority = 0 };
        // Lowering one's own priority is always permitted; a failure would leave nothing worse than the read had.
        _ = Native.SetScheduler(CallingThread, Ordinary, ref ordinary);
    }

    /// <summary>The calling thread's scheduling policy (sched(7): 0 ordinary, 1 FIFO, 2 round-robin); -1 off Linux.</summary>
    internal static int CurrentPolicy() => OperatingSystem.IsLinux() ? Native.GetScheduler(CallingThread) : -1;

    private static partial class Native
    {
        private const string CLibrary = NativeLibraries.C;

        [StructLayout(LayoutKind.Sequential)]
        internal struct Parameter
        {
            public int Priority;
        }

        [LibraryImport(CLibrary, EntryPoint = "sched_getscheduler", SetLastError = true)]
        internal static partial int GetScheduler(int thread);

        [LibraryImport(CLibrary, EntryPoint = "sched_getparam", SetLastError = true)]
        internal static partial int GetParameter(int thread, ref Parameter parameter);

        [LibraryImport(CLibrary, EntryPoint = "sched_setscheduler", SetLastError = true)]
        internal static partial int SetScheduler(int thread, int policy, ref Parameter parameter);

        [LibraryImport(CLibrary, EntryPoint = "getpriority", SetLastError = true)]
        internal static partial int GetPriority(int which, int who);
    }
}
