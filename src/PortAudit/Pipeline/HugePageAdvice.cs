using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PortAudit.Pipeline;

/// <summary>
/// Asks Linux to back a managed heap mapping with transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>): one fault per
/// 2 MiB instead of one per 4 KiB page, where the kernel allows it (<c>transparent_hugepage/enabled</c> at
/// <c>madvise</c> or <c>always</c>). Advice only: the contents do not change, and a kernel that refuses leaves the
/// mapping as it was. Elsewhere than on Linux nothing is asked.
/// </summary>
internal static partial class HugePageAdvice
{
    private const string CLibrary = NativeLibraries.C;
    /// <summary><c>MADV_HUGEPAGE</c>: back the range with huge pages where the kernel can.</summary>
    internal const int MadvHugePage = 14;

    /// <summary>The address <paramref name="probe"/> lies at now; a moving collector may place it elsewhere later.</summary>
    public static long AddressOf(object probe)
    {
        long address = Unsafe.As<object, nint>(ref probe);
        GC.KeepAlive(probe);
        return address;
    }

    /// <summary>
    /// Advises the anonymous read-write mapping that holds <paramref name="probe"/>; true when the kernel took the
    /// advice, false when there was no such mapping or it refused.
    /// </summary>
    public static bool AdviseMappingOf(object probe)
    {
        if (!OperatingSystem.IsLinux()) return false;
        // The address is read once, to find the mapping: were the object moved since, the mapping is still the heap's.
        if (FindMapping(AddressOf(probe)) is not var (start, end)) return false;
        try
        {
            return Madvise((nint)start, (nuint)(end - start), MadvHugePage) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The bounds of the private anonymous read-write mapping of this process that holds <paramref name="address"/>.</summary>
    internal static (long Start, long End)? FindMapping(long address)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
                if (ParseMapping(line, address) is { } found) return found;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc (a restricted sandbox): no advice.
        }
        return null;
    }

    /// <summary>
    /// One line of <c>/proc/self/maps</c> ("start-end perms offset dev inode [path]", addresses in hexadecimal): its
    /// bounds when it is an anonymous (no path), private, read-write mapping holding <paramref name="address"/>.
    /// </summary>
    internal static (long Start, long End)? ParseMapping(string line, long address)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5 || fields[1] != "rw-p" || fields[4] != "0") return null;
        int dash = fields[0].IndexOf('-');
        if (dash <= 0
            || !long.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long start)
            || !long.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long end))
            return null;
        return address >= start && address < end ? (start, end) : null;
    }

    /// <summary><c>madvise(2)</c>: 0 when the kernel took the advice.</summary>
    [LibraryImport(CLibrary, EntryPoint = "madvise")]
    internal static partial int Madvise(nint address, nuint length, int advice);
}
