namespace PortAudit.Audit.Timeline;

/// <summary>
/// How plots split a pair's traffic: by verdict, except that a failed attempt a required rule covers is
/// "required-blocked". Its verdict is often expected (the rule allows it), and showing a refused connection in the
/// colour of working traffic would hide the very thing the firewall team has to fix.
/// </summary>
public static class TrafficKey
{
    /// <summary>The verdict's name, or "required-blocked" for a blocked required attempt.</summary>
    public static string Of(FlowVerdict verdict) =>
        verdict.BlockedRule is not null ? FindingKind.RequiredBlocked.Name()
        : verdict.Anomalous ? FindingKind.Anomalous.Name()
        : verdict.Verdict.Name();
}
