using System.Runtime.InteropServices;
using PortAudit.Common;

namespace PortAudit.Capture.Live;

/// <summary>
/// The CPU a thread runs on, and keeping a thread off one CPU: the standby reader is of use only on another CPU than
/// the capture thread's, since what makes the capture thread late is mostly its CPU not running (docs/live.md).
/// </summary>
internal static partial class ThreadPlacement
{
    private const string CLibrary = NativeLibraries.C;
    // sched_setaffinity(2) and sched_getaffinity(2) with 0 act on the calling thread.
    private const int CallingThread = 0;
    // cpu_set_t as glibc defines it: 1,024 CPUs.
    private const int MaskWords = 16;

    /// <summary>The CPU the calling thread runs on now, or -1 where that cannot be told.</summary>
    public static int CurrentCpu() => OperatingSystem.IsLinux() ? GetCpu() : -1;

    /// <summary>The CPUs the calling thread may run on, as a cpu_set_t; null where that cannot be told.</summary>
    public static unsafe ulong[]? AllowedCpus()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var mask = new ulong[MaskWords];
        fixed (ulong* words = mask)
            return GetAffinity(CallingThread, MaskWords * sizeof(ulong), words) == 0 ? mask : null;
    }

    /// <summary>How many CPUs <paramref name="mask"/> holds.</summary>
    public static int Count(ulong[] mask)
    {
        int count = 0;
        foreach (ulong word in mask) count += System.Numerics.BitOperations.PopCount(word);
        return count;
    }

    /// <summary>
    /// Puts the calling thread on the CPUs of <paramref name="allowed"/> but <paramref name="cpu"/>; false, changing
    /// nothing, when no other is left or the call fails.
    /// </summary>
    public static unsafe bool AvoidCpu(ulong[] allowed, int cpu)
    {
        if (!OperatingSystem.IsLinux() || cpu < 0 || cpu >= MaskWords * 64) return false;
        ulong* mask = stackalloc ulong[MaskWords];
        bool any = false;
        for (int i = 0; i < MaskWords; i++)
        {
            mask[i] = i == cpu / 64 ? allowed[i] & ~(1UL << (cpu % 64)) : allowed[i];
            any |= mask[i] != 0;
        }
        return any && SetAffinity(CallingThread, MaskWords * sizeof(ulong), mask) == 0;
    }

    [LibraryImport(CLibrary, EntryPoint = "sched_getcpu")]
    private static partial int GetCpu();

    [LibraryImport(CLibrary, EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static unsafe partial int GetAffinity(int thread, nuint size, ulong* mask);

    [LibraryImport(CLibrary, EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SetAffinity(int thread, nuint size, ulong* mask);
}
