namespace PortAudit.Sources.Live;

/// <summary>
/// libpcap's counters for one interface since it was opened. Their meaning varies by platform; on Linux
/// <see cref="Received"/> counts packets that passed the filter, <see cref="Dropped"/> those lost because
/// the buffer was full, and <see cref="InterfaceDropped"/> those the interface itself dropped.
/// </summary>
public readonly record struct InterfaceStatistics(string Interface, long Received, long Dropped, long InterfaceDropped);
