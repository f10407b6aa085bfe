using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>
/// The names of the report's plots, unique within a report, in one place: the page draws its plots under them,
/// <c>--plots DIR</c> makes its file names of them (<see cref="Plot.PictureFiles.FileName"/>) and report.md links
/// those files.
/// </summary>
public static class PlotNames
{
    /// <summary>The role matrix, drawn when any role pair had traffic.</summary>
    public const string RoleMatrix = "role-matrix";

    /// <summary>The pairs whose plots are drawn: those given a section, busiest first.</summary>
    public static IEnumerable<RolePairStatistics> PairsDrawn(AuditReport report) => report.RolePairs.Take(RolePairSection.MaxSections);

    /// <summary>The names of one pair's plots.</summary>
    public static PairPlotNames Of(RolePairStatistics pair)
    {
        string prefix = $"{pair.ClientRoles}--{pair.ServerRoles}";
        return new PairPlotNames(prefix + "-flows-by-verdict", prefix + "-flows-by-rule", prefix + "-bytes-by-port");
    }
}

/// <summary>The names of one role pair's plots.</summary>
/// <param name="FlowsByVerdict">Flows started over time, by verdict (the first view of the time plot).</param>
/// <param name="FlowsByRule">Flows started over time, by rule (its second view).</param>
/// <param name="BytesByPort">Bytes per server port, by verdict.</param>
public sealed record PairPlotNames(string FlowsByVerdict, string FlowsByRule, string BytesByPort)
{
    /// <summary>Each plot's name with what it shows, in the page's order.</summary>
    public IReadOnlyList<(string Name, string Shows)> All =>
        [(FlowsByVerdict, "flows over time by verdict"), (FlowsByRule, "flows over time by rule"), (BytesByPort, "bytes per port")];
}
