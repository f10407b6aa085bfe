using PortAudit.Audit;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>The one id of a role pair's section, so that the matrix cell and the section always agree.</summary>
internal static class PairAnchor
{
    public static string Id(RolePairStatistics pair) => FragmentHref.AnchorId("pair", pair.ClientRoles, pair.ServerRoles);

    public static string Href(RolePairStatistics pair) => "#" + Id(pair);
}
