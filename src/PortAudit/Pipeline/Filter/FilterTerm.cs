using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Pipeline.Filter;

/// <summary>Which end of a flow a term asks about: <c>src</c> is the client (Zeek's orig), <c>dst</c> the server (resp).</summary>
public enum FilterSide
{
    /// <summary>Either end (no qualifier).</summary>
    Either,
    /// <summary><c>src</c>: the client, the end that opened the flow.</summary>
    Client,
    /// <summary><c>dst</c>: the server.</summary>
    Server,
}

/// <summary>
/// One term, <c>[src|dst] FIELD VALUE[,VALUE]...</c>: true when any value matches. A term asked before the stage that
/// knows its field (<see cref="Known"/>) answers null.
/// </summary>
internal abstract class FilterTerm(string field, FilterStage known) : FilterNode
{
    /// <summary>The field as the grammar names it: host, port, app...</summary>
    public string Field { get; } = field;

    /// <summary>The first stage at which the field is known.</summary>
    public FilterStage Known { get; } = known;

    /// <inheritdoc />
    public sealed override bool? Evaluate(in FilterFacts facts) => facts.Stage < Known ? null : Matches(facts);

    /// <inheritdoc />
    public sealed override IEnumerable<FilterTerm> Terms() => [this];

    /// <summary>True when a value matches the flow, once the field is known.</summary>
    protected abstract bool Matches(in FilterFacts facts);
}

/// <summary>A term about one end or either: asks <see cref="MatchesEnd"/> of the client, the server, or both.</summary>
internal abstract class SidedTerm(string field, FilterStage known, FilterSide side) : FilterTerm(field, known)
{
    /// <inheritdoc />
    protected sealed override bool Matches(in FilterFacts facts) => side switch
    {
        FilterSide.Client => MatchesEnd(facts, client: true),
        FilterSide.Server => MatchesEnd(facts, client: false),
        _ => MatchesEnd(facts, client: true) || MatchesEnd(facts, client: false),
    };

    /// <summary>True when a value matches the client's end (or the server's).</summary>
    protected abstract bool MatchesEnd(in FilterFacts facts, bool client);
}

/// <summary><c>host ADDR</c> and <c>net CIDR</c>.</summary>
internal sealed class AddressTerm(string field, FilterSide side, IpPrefix[] networks) : SidedTerm(field, FilterStage.Reading, side)
{
    // Asked for every packet of a filtered run: a plain loop, no allocation.
    protected override bool MatchesEnd(in FilterFacts facts, bool client)
    {
        var address = client ? facts.Flow.Client : facts.Flow.Server;
        foreach (var network in networks)
            if (network.Contains(address)) return true;
        return false;
    }
}

/// <summary><c>port N</c>, <c>port N-M</c> (tcpdump's portrange).</summary>
internal sealed class PortTerm(FilterSide side, PortRange[] ranges) : SidedTerm("port", FilterStage.Reading, side)
{
    protected override bool MatchesEnd(in FilterFacts facts, bool client)
    {
        int port = client ? facts.Flow.ClientPort : facts.Flow.ServerPort;
        foreach (var range in ranges)
            if (range.Contains(port)) return true;
        return false;
    }
}

/// <summary><c>transport tcp,udp</c>, or a bare <c>tcp</c> as tcpdump writes it.</summary>
internal sealed class TransportTerm(byte[] protocols) : FilterTerm("transport", FilterStage.Reading)
{
    protected override bool Matches(in FilterFacts facts) => protocols.Contains(facts.Flow.Protocol);
}

/// <summary><c>app tls,sip</c>; <c>app none</c> for a flow inspection did not name.</summary>
internal sealed class AppTerm(string[] names) : FilterTerm("app", FilterStage.Ended)
{
    /// <summary>The value that matches a flow with no application label.</summary>
    public const string None = "none";

    protected override bool Matches(in FilterFacts facts) => names.Contains(facts.Flow.App?.Name ?? None);
}

/// <summary>
/// <c>servername pastebin.com,*.kakao.com</c>: the server the flow named (the SNI of TLS, DTLS or QUIC, an HTTP Host, a
/// CONNECT target), as a rule's <c>serverNames</c> match it (<see cref="ServerName"/>); Zeek's ssl.log calls it server_name.
/// </summary>
internal sealed class ServerNameTerm(ServerName[] names) : FilterTerm("servername", FilterStage.Ended)
{
    protected override bool Matches(in FilterFacts facts) => ServerNameCheck.NameOf(facts.Flow) is { } named && ServerName.Any(names, named);
}

/// <summary><c>state rejected,unanswered</c>.</summary>
internal sealed class StateTerm(FlowState[] states) : FilterTerm("state", FilterStage.Ended)
{
    protected override bool Matches(in FilterFacts facts) => states.Contains(facts.Flow.State);
}

/// <summary><c>verdict unexpected</c>.</summary>
internal sealed class VerdictTerm(Verdict[] verdicts) : FilterTerm("verdict", FilterStage.Judged)
{
    protected override bool Matches(in FilterFacts facts) => facts.Verdict is { } verdict && verdicts.Contains(verdict.Verdict);
}

/// <summary><c>rule ID</c>: the rule the verdict names; <c>rule none</c> for a flow no rule explains.</summary>
internal sealed class RuleTerm(string[] ids) : FilterTerm("rule", FilterStage.Judged)
{
    /// <summary>The value that matches a flow whose verdict names no rule.</summary>
    public const string None = "none";

    protected override bool Matches(in FilterFacts facts) => ids.Contains(facts.Verdict?.Rule?.Id ?? None, StringComparer.Ordinal);
}

/// <summary><c>role ID</c>: a role the end's inventory entry gives it, or one those imply in the catalog.</summary>
internal sealed class RoleTerm(FilterSide side, string[] roles) : SidedTerm("role", FilterStage.Judged, side)
{
    /// <summary>The role ids the term names, for the audit to check against the catalog.</summary>
    public IReadOnlyList<string> Roles => roles;

    protected override bool MatchesEnd(in FilterFacts facts, bool client)
    {
        if (facts.Verdict is not { } verdict) return false;
        var end = client ? verdict.Client : verdict.Server;
        var plays = end.Host?.Plays ?? end.RoleIds;
        foreach (string role in roles)
            if (plays.Contains(role, StringComparer.Ordinal)) return true;
        return false;
    }
}

/// <summary><c>zone NAME</c>: the zone the audit places the end in.</summary>
internal sealed class ZoneTerm(FilterSide side, string[] zones) : SidedTerm("zone", FilterStage.Judged, side)
{
    protected override bool MatchesEnd(in FilterFacts facts, bool client)
    {
        if (facts.Verdict is not { } verdict) return false;
        return zones.Contains((client ? verdict.Client : verdict.Server).Zone, StringComparer.Ordinal);
    }
}
