using System.Runtime.InteropServices;
using PortAudit.Common;

namespace PortAudit.Capture.Live;

/// <summary>
/// A descriptor the capture thread waits on beside its interfaces (Linux's eventfd), which the standby reader sets once
/// it has taken packets out of the kernel's buffer: the kernel woke the capture thread for those packets, and with them
/// gone it would sleep on until the next batch or its timeout while they wait in the spill buffer.
/// </summary>
internal sealed partial class WakeSignal : IDisposable
{
    private const string CLibrary = NativeLibraries.C;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;

    private WakeSignal(int fd) => Fd = fd;

    /// <summary>The descriptor to wait on for input.</summary>
    public int Fd { get; private set; }

    /// <summary>A new signal, or null where the platform has none.</summary>
    public static WakeSignal? TryCreate()
    {
        if (!OperatingSystem.IsLinux()) return null;
        int fd = EventFd(0, NonBlocking | CloseOnExec);
        return fd < 0 ? null : new WakeSignal(fd);
    }

    /// <summary>Wakes a thread waiting on <see cref="Fd"/>.</summary>
    public unsafe void Set()
    {
        ulong one = 1;
        // A full counter (2^64 - 2 sets unread) refuses the write: the descriptor is readable anyway.
        _ = Write(Fd, &one, sizeof(ulong));
    }

    /// <summary>Clears the signal, so that the next wait sleeps until it is set again.</summary>
    public unsafe void Reset()
    {
        ulong value;
        _ = Read(Fd, &value, sizeof(ulong));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Fd < 0) return;
        _ = Close(Fd);
        Fd = -1;
    }

    [LibraryImport(CLibrary, EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport(CLibrary, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(CLibrary, EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(CLibrary, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
