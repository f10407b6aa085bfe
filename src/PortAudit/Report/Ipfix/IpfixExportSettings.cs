namespace PortAudit.Report.Ipfix;

/// <summary>How an <see cref="IpfixExporter"/> builds and paces its messages.</summary>
public sealed record IpfixExportSettings
{
    /// <summary>The smallest message size accepted: the longest record and both templates fit in it.</summary>
    public const int MinMessageSize = 1024;

    /// <summary>True to add the audit's elements (<see cref="PortAuditElements"/>) to every record: the exporter then takes judged flows.</summary>
    public bool Verdicts { get; init; }

    /// <summary>
    /// The largest message, in bytes (RFC 7011 §10.3.3: within the path MTU, as IP does not fragment it for us). 1400
    /// leaves room on a 1500-byte Ethernet path for IPv6 (40), UDP (8) and a tunnel header or two.
    /// </summary>
    public int MaxMessageSize { get; init; } = 1400;

    /// <summary>Templates go again after this long (RFC 7011 §8.4: over UDP they are resent periodically), so a collector that starts late learns them.</summary>
    public TimeSpan TemplateRefresh { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Templates go again after this many messages as well, whichever comes first.</summary>
    public int TemplateRefreshMessages { get; init; } = 100;

    /// <summary>A message that has held a record this long is sent at the next flow, full or not (live capture, where flows end slowly).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The observation domain of every message; its sequence numbers count its data records.</summary>
    public uint ObservationDomain { get; init; } = 1;
}
