using System.Net;
using System.Numerics;
using SharpPcap.LibPcap;

namespace PortAudit.Sources.Live;

/// <summary>Lists the interfaces available for live capture (SharpPcap's view of pcap_findalldevs).</summary>
public static class CaptureDevices
{
    // pcap_findalldevs(3PCAP)'s PCAP_IF_ flags; SharpPcap names only the loopback one.
    private const uint FlagLoopback = 0x1;
    private const uint FlagUp = 0x2;
    private const uint FlagRunning = 0x4;
    private const uint FlagWireless = 0x8;

    /// <summary>Every interface libpcap reports, in its order (which puts up and running interfaces first).</summary>
    public static IReadOnlyList<CaptureDevice> List() => PcapLibrary.Interfaces().Select(Describe).ToList();

    private static CaptureDevice Describe(PcapInterface device) => new(device.Name, device.Description ?? "",
        Addresses(device.Addresses), (device.Flags & FlagUp) != 0, (device.Flags & FlagRunning) != 0,
        (device.Flags & FlagLoopback) != 0, (device.Flags & FlagWireless) != 0);

    // Link-layer and other families are left out: the audit speaks of IP addresses.
    private static List<DeviceAddress> Addresses(IEnumerable<PcapAddress> addresses) =>
        addresses.Where(a => a.Addr is { type: Sockaddr.AddressTypes.AF_INET_AF_INET6, ipAddress: not null })
            .Select(a => new DeviceAddress(a.Addr!.ipAddress!, PrefixLength(a.Netmask?.ipAddress)))
            .ToList();

    private static int? PrefixLength(IPAddress? netmask)
    {
        if (netmask is null) return null;
        Span<byte> bytes = stackalloc byte[16];
        if (!netmask.TryWriteBytes(bytes, out int written)) return null;
        int prefix = 0;
        foreach (byte b in bytes[..written]) prefix += BitOperations.PopCount(b);
        return prefix;
    }
}
