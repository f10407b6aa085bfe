using PortAudit.Common;

namespace PortAudit.Audit.Triage;

/// <summary>A finding as an earlier run's report.json recorded it: what a baseline and a diff compare.</summary>
/// <param name="Id">The stable id (computed from the other fields when an older report has none).</param>
/// <param name="Kind">The kind.</param>
/// <param name="Severity">high, medium, low, as recorded.</param>
/// <param name="ClientHost">The client end as recorded.</param>
/// <param name="ServerHost">The server end as recorded.</param>
/// <param name="Transport">tcp, udp...</param>
/// <param name="Ports">The port or the rule's ports.</param>
/// <param name="Rule">The rule id, or null.</param>
/// <param name="Reason">Why, in words, or null.</param>
/// <param name="Flows">Flows the finding counted (0 for missing findings).</param>
/// <param name="Suppressed">True when that run suppressed it.</param>
public sealed record RecordedFinding(
    string Id, FindingKind Kind, string Severity, string ClientHost, string ServerHost, string Transport, string Ports,
    string? Rule, string? Reason, long Flows, bool Suppressed)
{
    /// <summary>"445/tcp", or the transport alone where it has no ports (<see cref="Finding.Service"/>).</summary>
    public string Service => Finding.ServiceOf(Ports, Transport);
}

/// <summary>The findings of one report.json.</summary>
/// <param name="Source">The file as named on the command line.</param>
/// <param name="Findings">Its findings, in its order.</param>
public sealed record RecordedReport(string Source, IReadOnlyList<RecordedFinding> Findings);
