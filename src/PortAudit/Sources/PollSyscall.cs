using System.Runtime.InteropServices;
using PortAudit.Common;

namespace PortAudit.Sources;

/// <summary>poll(2), for the sources that wait on a descriptor: live interfaces, and pipes a stop must be heard through.</summary>
internal static partial class PollSyscall
{
    /// <summary>Data to read (or the end of it).</summary>
    public const short In = 0x1;

    /// <summary>The descriptor is not open.</summary>
    public const short Invalid = 0x20;

    /// <summary>errno of a wait a signal interrupted.</summary>
    public const int Interrupted = 4;

    /// <summary>One descriptor of a wait, as poll(2) takes it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        /// <summary>The descriptor; a negative one is skipped.</summary>
        public int Fd;

        /// <summary>What to wait for.</summary>
        public short Events;

        /// <summary>What happened.</summary>
        public short ReturnedEvents;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for <paramref name="descriptor"/> to have bytes, its end or an
    /// error to read; false when the time ran out or a signal interrupted the wait.
    /// </summary>
    public static unsafe bool Readable(int descriptor, int timeoutMilliseconds)
    {
        var fd = new PollFd { Fd = descriptor, Events = In };
        return Poll(&fd, 1, timeoutMilliseconds) > 0;
    }

    /// <summary>poll(2) itself.</summary>
    [LibraryImport(NativeLibraries.C, EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
