using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using PortAudit.Common;

namespace PortAudit.Capture.Live;

/// <summary>Lists the interfaces available for live capture.</summary>
public static unsafe class CaptureDevices
{
    private const uint FlagLoopback = 0x1;
    private const uint FlagUp = 0x2;
    private const uint FlagRunning = 0x4;
    private const uint FlagWireless = 0x8;

    /// <summary>Every interface libpcap reports, in its order (which puts up and running interfaces first).</summary>
    public static IReadOnlyList<CaptureDevice> List()
    {
        LibPcap.EnsureLoaded();
        byte* error = stackalloc byte[LibPcap.ErrorBufferSize];
        if (LibPcap.FindAllDevices(out var first, error) != 0)
            throw new InputException($"cannot list interfaces: {LibPcap.Text(error)}");
        try
        {
            var devices = new List<CaptureDevice>();
            for (var device = first; device is not null; device = device->Next)
            {
                uint flags = device->Flags;
                devices.Add(new CaptureDevice(LibPcap.Text(device->Name), LibPcap.Text(device->Description),
                    Addresses(device->Addresses), (flags & FlagUp) != 0, (flags & FlagRunning) != 0,
                    (flags & FlagLoopback) != 0, (flags & FlagWireless) != 0));
            }
            return devices;
        }
        finally
        {
            LibPcap.FreeAllDevices(first);
        }
    }

    private static List<DeviceAddress> Addresses(LibPcap.PcapAddr* first)
    {
        var addresses = new List<DeviceAddress>();
        for (var entry = first; entry is not null; entry = entry->Next)
        {
            // Link-layer (AF_PACKET) and other families are left out: the audit speaks of IP addresses.
            if (ReadAddress(entry->Addr) is not { } address) continue;
            addresses.Add(new DeviceAddress(address, PrefixLength(ReadAddress(entry->Netmask))));
        }
        return addresses;
    }

    /// <summary>Reads a struct sockaddr of family IPv4 or IPv6; null for other families or no address.</summary>
    internal static IPAddress? ReadAddress(byte* sockaddr)
    {
        if (sockaddr is null) return null;
        // BSD-derived systems start with a length byte; Linux and Windows with a 16-bit family.
        int family = OperatingSystem.IsLinux() || OperatingSystem.IsWindows()
            ? BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(sockaddr, 2))
            : sockaddr[1];
        if (family == (int)AddressFamily.InterNetwork)
            return new IPAddress(new ReadOnlySpan<byte>(sockaddr + 4, 4));
        if (family == InterNetworkV6Family)
        {
            uint scope = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(sockaddr + 24, 4));
            return new IPAddress(new ReadOnlySpan<byte>(sockaddr + 8, 16), scope);
        }
        return null;
    }

    // AF_INET6 differs by system, and .NET's AddressFamily holds only Windows' value.
    private static int InterNetworkV6Family =>
        OperatingSystem.IsLinux() ? 10 : OperatingSystem.IsWindows() ? 23 : OperatingSystem.IsFreeBSD() ? 28 : 30;

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
