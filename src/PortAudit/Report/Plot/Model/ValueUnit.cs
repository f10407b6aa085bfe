namespace PortAudit.Report.Plot;

/// <summary>What a chart's values count; decides the axis title and how values are scaled and printed.</summary>
public enum ValueUnit
{
    /// <summary>Plain numbers.</summary>
    None,

    /// <summary>Bytes, printed in binary multiples (B, KiB, MiB, GiB, TiB).</summary>
    Bytes,

    /// <summary>Packets: whole numbers.</summary>
    Packets,

    /// <summary>Flows: whole numbers.</summary>
    Flows,
}
