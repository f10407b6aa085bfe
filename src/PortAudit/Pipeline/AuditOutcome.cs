using PortAudit.Audit;

namespace PortAudit.Pipeline;

/// <summary>What an audit concluded and where it wrote it.</summary>
/// <param name="Report">Findings, coverage, role pairs and counts.</param>
/// <param name="Traffic">What was read, with the inputs that failed.</param>
/// <param name="OutputDirectory">Where flows.jsonl and the reports are.</param>
/// <param name="PlotFiles">The plots' pictures (PNG and SVG) written on request (--plots).</param>
/// <param name="FailingFindings">New (or, without a baseline, all), unsuppressed findings of the kinds the settings fail on.</param>
public sealed record AuditOutcome(
    AuditReport Report, TrafficSummary Traffic, string OutputDirectory, IReadOnlyList<string> PlotFiles, int FailingFindings);
