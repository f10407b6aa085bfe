namespace PortAudit.Audit.Anomaly;

/// <summary>One feature of a flow beside its group's normal range.</summary>
/// <param name="Feature">The feature's name (<see cref="FlowFeatures.Names"/>).</param>
/// <param name="Value">The flow's value, as measured.</param>
/// <param name="Low">The 1st percentile of the group's training flows.</param>
/// <param name="High">The 99th percentile of the group's training flows.</param>
public sealed record Departure(string Feature, double Value, double Low, double High);
