using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources;

namespace PortAudit.Pipeline;

/// <summary>What a run read: counters of the decoder and of the flow table, and the inputs that failed.</summary>
/// <param name="Traffic">Packets, bytes, decode outcomes, time span.</param>
/// <param name="Flows">Flows created, evicted, fragments without their first.</param>
/// <param name="Errors">Inputs that could not be opened or were damaged, in the order met; the run went on with the next.</param>
public sealed record TrafficSummary(TrafficStatistics Traffic, FlowTableStatistics Flows, IReadOnlyList<InputException> Errors)
{
    /// <summary>Records read and rejected by flow-record sources (zero for a run of packets only).</summary>
    public RecordStatistics Records { get; init; } = new();
}
