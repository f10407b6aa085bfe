using System.Runtime.InteropServices;

namespace PortAudit.Sources.Files;

/// <summary>
/// Faults in the pages of a fresh buffer before it is needed. The runtime hands out new arrays on pages the kernel has
/// not mapped yet, and their first write pays one page fault per 4 KiB; a live capture that paid them on its first
/// packets fell behind by 15 ms and more on a virtual machine, which a 1 MB kernel buffer did not hold.
/// </summary>
/// <remarks>
/// A plain write, not <c>madvise(MADV_POPULATE_WRITE)</c> as <c>HeapPageFiller</c> uses on memory the collector has not
/// handed out yet: these buffers are ours to write, at any alignment, on any kernel.
/// </remarks>
internal static class MemoryPages
{
    private static readonly int PageBytes = Environment.SystemPageSize;

    /// <summary>Writes one byte per page of <paramref name="buffer"/>, keeping its contents.</summary>
    public static void Touch(Span<byte> buffer)
    {
        // Volatile: a store of the value just read must not be optimised away.
        for (int i = 0; i < buffer.Length; i += PageBytes) Volatile.Write(ref buffer[i], buffer[i]);
        if (buffer.Length > 0) Volatile.Write(ref buffer[^1], buffer[^1]);
    }

    /// <summary>Touches every page of an array of structures.</summary>
    public static void Touch<T>(T[] array) where T : struct => Touch(MemoryMarshal.AsBytes(array.AsSpan()));
}
