namespace PortAudit.Sources.Live;

/// <summary>How to open live interfaces.</summary>
public sealed record LiveCaptureOptions
{
    /// <summary>Interfaces to capture on, one handle each; at least one.</summary>
    public required IReadOnlyList<string> Interfaces { get; init; }

    /// <summary>A BPF filter expression (tcpdump syntax), or null for everything.</summary>
    public string? Filter { get; init; }

    /// <summary>Bytes kept of each packet; the default keeps whole packets even with offloads.</summary>
    public int SnapLength { get; init; } = 262_144;

    /// <summary>Put the interfaces in promiscuous mode (a span port needs it).</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>Kernel buffer per interface; larger rides out longer bursts without drops.</summary>
    public int BufferSizeBytes { get; init; } = 32 << 20;

    /// <summary>
    /// How long the kernel may hold packets before handing them over, and how long one wait lasts;
    /// it bounds how late a stop is noticed.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Hand over every packet at once instead of in batches: lower latency, more work per packet.</summary>
    public bool Immediate { get; init; }

    /// <summary>Stop after this many packets (over all interfaces); 0 for no limit.</summary>
    public long PacketLimit { get; init; }

    /// <summary>How often <see cref="LiveCaptureReader.Heartbeat"/> is called during the capture.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);
}
