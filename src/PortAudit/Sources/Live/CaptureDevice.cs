using System.Net;

namespace PortAudit.Sources.Live;

/// <summary>An interface libpcap can capture on, as pcap_findalldevs describes it.</summary>
/// <param name="Name">The name to pass to <c>--interface</c>.</param>
/// <param name="Description">libpcap's description, often empty on Linux.</param>
/// <param name="Addresses">The interface's IPv4 and IPv6 addresses.</param>
/// <param name="IsUp">The interface is administratively up.</param>
/// <param name="IsRunning">The interface is up and its link is operational.</param>
/// <param name="IsLoopback">The loopback interface.</param>
/// <param name="IsWireless">A wireless interface.</param>
public sealed record CaptureDevice(
    string Name, string Description, IReadOnlyList<DeviceAddress> Addresses,
    bool IsUp, bool IsRunning, bool IsLoopback, bool IsWireless);

/// <summary>An address of an interface with its prefix length (null when libpcap gave no netmask).</summary>
public sealed record DeviceAddress(IPAddress Address, int? PrefixLength)
{
    /// <inheritdoc />
    public override string ToString() => PrefixLength is { } prefix ? $"{Address}/{prefix}" : Address.ToString();
}
