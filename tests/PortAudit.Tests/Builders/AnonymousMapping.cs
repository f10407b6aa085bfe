using System.Runtime.InteropServices;

namespace PortAudit.Tests.Builders;

/// <summary>
/// A private anonymous mapping (<c>mmap</c>) whose pages a test can see mapped or not (<c>mincore</c>): memory the
/// runtime does not manage, so that nothing but the code under test touches it. Linux only.
/// </summary>
internal sealed partial class AnonymousMapping : IDisposable
{
    /// <summary>Readable and writable.</summary>
    public const int ReadWrite = ProtRead | ProtWrite;

    /// <summary>Reserved, not accessible: the kernel refuses to populate it.</summary>
    public const int NoAccess = 0;

    private const int ProtRead = 1, ProtWrite = 2;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;
    private const int MadvDontNeed = 4;

    private readonly long _length;

    /// <summary>Maps <paramref name="length"/> bytes with <paramref name="protection"/>; none of its pages is resident yet.</summary>
    public AnonymousMapping(long length, int protection)
    {
        _length = length;
        nint start = Map(0, (nuint)length, protection, MapPrivate | MapAnonymous, -1, 0);
        Assert.NotEqual(-1, (long)start);
        Start = start;
    }

    /// <summary>The mapping's first address.</summary>
    public long Start { get; }

    /// <summary>How many of the <paramref name="pages"/> pages from <paramref name="start"/> are resident.</summary>
    public static int ResidentPages(long start, int pages)
    {
        var vector = new byte[pages];
        Assert.Equal(0, MinCore((nint)start, (nuint)(pages * (long)Environment.SystemPageSize), vector));
        return vector.Count(b => (b & 1) != 0);
    }

    /// <summary>Drops the pages of <paramref name="length"/> bytes from <paramref name="start"/>: none is resident afterwards.</summary>
    public static void DropPages(long start, long length) => Assert.Equal(0, Advise((nint)start, (nuint)length, MadvDontNeed));

    /// <inheritdoc />
    public void Dispose() => Unmap((nint)Start, (nuint)_length);

    [LibraryImport("libc.so.6", EntryPoint = "mmap")]
    private static partial nint Map(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc.so.6", EntryPoint = "munmap")]
    private static partial int Unmap(nint address, nuint length);

    [LibraryImport("libc.so.6", EntryPoint = "mincore")]
    private static partial int MinCore(nint address, nuint length, [Out] byte[] vector);

    [LibraryImport("libc.so.6", EntryPoint = "madvise")]
    private static partial int Advise(nint address, nuint length, int advice);
}

/// <summary>A test of Linux system calls (memory mappings, scheduling); skipped, with the reason, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "not Linux: this test makes Linux system calls";
    }
}
