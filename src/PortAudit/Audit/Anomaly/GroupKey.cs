using System.Globalization;
using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Names the group of flows a model is fitted on, from the most specific to the pooled fallback: a role pair with its
/// transport and server port ("workstation>domain-controller tcp/389 counters"), the role pair on any port
/// ("workstation>domain-controller * counters"), or every allowed flow ("* * counters"). Fields are joined by '|' in the
/// key itself (a broadcast's role label holds a space).
/// </summary>
public static class GroupKey
{
    private const char Separator = '|';

    /// <summary>The role pair and port of <paramref name="flow"/>.</summary>
    public static string Port(Flow flow, FlowVerdict verdict, FeatureSet set) =>
        $"{Pair(verdict)}|{flow.Transport}/{flow.ServerPort.ToString(CultureInfo.InvariantCulture)}|{set.Name()}";

    /// <summary>The role pair of <paramref name="verdict"/> on any port.</summary>
    public static string AnyPort(FlowVerdict verdict, FeatureSet set) => $"{Pair(verdict)}|*|{set.Name()}";

    /// <summary>Every allowed flow of <paramref name="set"/>.</summary>
    public static string Pooled(FeatureSet set) => $"*|*|{set.Name()}";

    /// <summary>The role-pair key of a port key ("a>b|tcp/389|counters" gives "a>b|*|counters").</summary>
    public static string PairOf(string portKey)
    {
        var parts = portKey.Split(Separator);
        return $"{parts[0]}|*|{parts[^1]}";
    }

    /// <summary>The pooled key of any key.</summary>
    public static string PooledOf(string key) => $"*|*|{key.Split(Separator)[^1]}";

    /// <summary>The role pair as the audit labels it: client roles, "&gt;", server roles.</summary>
    public static string Pair(FlowVerdict verdict) => $"{verdict.Client.RoleLabel}>{verdict.Server.RoleLabel}";
}
