using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PortAudit.Tests.Builders;

/// <summary>Named pipes for the tests of inputs that cannot seek (a shell's process substitution, a writer that stalls). Linux only.</summary>
internal static partial class Fifo
{
    /// <summary>Makes a FIFO at <paramref name="path"/>, readable and writable by its owner.</summary>
    public static void Make(string path) => Assert.Equal(0, MakeFifo(path, 0x180));

    /// <summary>Bytes written to a pipe and not yet read from it (FIONREAD, which Linux answers on either end of a pipe).</summary>
    public static int Unread(FileStream pipeEnd)
    {
        Assert.Equal(0, QueuedBytes(pipeEnd.SafeFileHandle, FionRead, out int unread));
        return unread;
    }

    private const nuint FionRead = 0x541B;

    [LibraryImport("libc.so.6", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc.so.6", EntryPoint = "ioctl")]
    private static partial int QueuedBytes(SafeFileHandle fd, nuint request, out int count);
}
