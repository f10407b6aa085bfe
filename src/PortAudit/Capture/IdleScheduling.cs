using System.Runtime.InteropServices;

namespace PortAudit.Capture;

/// <summary>
/// Linux's SCHED_IDLE for a thread of the tool's own: the kernel gives it a core only when no other thread wants one,
/// so work that can wait (a capture's digest) never slows the threads a run waits for. Elsewhere, or where the C
/// library cannot be called, a thread stays at normal priority.
/// </summary>
internal static partial class IdleScheduling
{
    private const string CLibrary = "libc.so.6";
    private const int SchedOther = 0;
    private const int SchedIdle = 5;

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    /// <summary>Puts the calling thread under SCHED_IDLE; returns its kernel thread id, 0 when it stays as it was.</summary>
    public static int Enter()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        try
        {
            int id = GetTid();
            return SetScheduler(0, SchedIdle, new SchedParam()) == 0 ? id : 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Puts thread <paramref name="threadId"/> (from <see cref="Enter"/>) back under the normal policy; false when the
    /// kernel refuses. Leaving SCHED_IDLE needs CAP_SYS_NICE or an RLIMIT_NICE of 20: without either, the thread keeps
    /// the idle policy, and still runs on the core its waiting caller leaves idle.
    /// </summary>
    public static bool Leave(int threadId)
    {
        if (threadId == 0) return false;
        try
        {
            return SetScheduler(threadId, SchedOther, new SchedParam()) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport(CLibrary, EntryPoint = "sched_setscheduler")]
    private static partial int SetScheduler(int threadId, int policy, in SchedParam param);

    [LibraryImport(CLibrary, EntryPoint = "gettid")]
    private static partial int GetTid();
}
