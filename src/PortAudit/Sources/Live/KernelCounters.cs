using System.Runtime.InteropServices;
using SharpPcap.LibPcap;

namespace PortAudit.Sources.Live;

/// <summary>
/// libpcap's counters for one open device, read with pcap_stats on SharpPcap's handle. SharpPcap 6.3.1 reads struct
/// pcap_stat on Unix as three native integers while libpcap's fields are 32-bit: on 64-bit Linux its DroppedPackets is
/// libpcap's ps_ifdrop, so a capture that overflowed the kernel's buffer reported 0 dropped (17,200 of 24,000 on the
/// loopback probe, docs/live.md). This is the one libpcap call PortAudit makes itself.
/// </summary>
internal static unsafe class KernelCounters
{
    private static readonly Lazy<nint> StatsFunction = new(Resolve);

    /// <summary>The counters of <paramref name="device"/> as libpcap keeps them, or null when they cannot be read.</summary>
    public static InterfaceStatistics? Read(PcapDevice device)
    {
        if (StatsFunction.Value == 0) return null;
        bool added = false;
        var handle = device.Handle;
        try
        {
            // Held while libpcap reads the pcap_t, so that a Close on another thread cannot free it underneath.
            handle.DangerousAddRef(ref added);
            // Room for the Windows-only fields that follow the three libpcap always has.
            var stat = stackalloc uint[6];
            var stats = (delegate* unmanaged<nint, uint*, int>)StatsFunction.Value;
            return stats(handle.DangerousGetHandle(), stat) == 0 ? new InterfaceStatistics(device.Name, stat[0], stat[1], stat[2]) : null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    // The names SharpPcap itself tries on Linux and macOS: the library it has loaded already, so the same pcap_t owner.
    private static nint Resolve()
    {
        foreach (var name in new[] { "libpcap.so", "libpcap.so.0", "libpcap.so.0.8", "libpcap.so.1", "libpcap.dylib", "wpcap" })
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "pcap_stats", out var function))
                return function;
        return 0;
    }
}
