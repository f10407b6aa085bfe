using System.Diagnostics.CodeAnalysis;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Audit;

/// <summary>
/// The server a flow names, judged against the names its rule allows (<see cref="Rule.ServerNames"/>): the SNI of a TLS,
/// DTLS or QUIC client hello, the Host of an HTTP request, the target of a proxy's CONNECT. TLS to a paste site on a port
/// the Edge may use towards the Internet is not the conversation a rule that names its partners allows. Asked only of
/// rules that name servers: the documents' rules name none, so their flows cost one null test.
/// </summary>
internal static class ServerNameCheck
{
    private const string SniKey = "sni", HostKey = "host", TargetKey = "target";

    /// <summary>
    /// True when <paramref name="rule"/> names servers and <paramref name="flow"/> named another (or named its server by
    /// something no DNS name is, an address say); <paramref name="named"/> is what the flow named.
    /// </summary>
    public static bool Refuses(Rule rule, Flow flow, [NotNullWhen(true)] out string? named)
    {
        named = null;
        if (rule.ServerNames is not { } names || Named(flow) is not { } given) return false;
        if (ServerName.Normalize(given) is { } name && ServerName.Any(names, name)) return false;
        named = given;
        return true;
    }

    /// <summary>Why a flow that named <paramref name="named"/> is not one <paramref name="rule"/> allows.</summary>
    public static string Reason(Flow flow, Rule rule, string named) =>
        $"{flow.App} names its server '{named}', which rule {rule.Id} does not allow (it allows {Names(rule)})";

    /// <summary>
    /// For a flow <paramref name="rule"/> allowed, in a protocol whose clients name their server, that named none (a TLS
    /// hello without SNI, an HTTP/1.0 request without Host): its verdict rests on the port, and the reason says so. Null
    /// otherwise.
    /// </summary>
    public static string? Nameless(Flow flow, Rule? rule) =>
        rule?.ServerNames is not null && NamesServers(flow.App) && Named(flow) is null
            ? $"{flow.App} names no server where rule {rule.Id} allows only {Names(rule)}: allowed by port only"
            : null;

    // The name as the flow gave it (a Host's or CONNECT target's port left out); null when it gave none.
    private static string? Named(Flow flow)
    {
        if (flow.AppDetail is not { } detail) return null;
        if (flow.App == AppLabel.Tls || flow.App == AppLabel.Dtls || flow.App == AppLabel.Quic) return detail.Find(SniKey);
        if (flow.App == AppLabel.Http) return WithoutPort(detail.Find(HostKey));
        if (flow.App == AppLabel.HttpProxy) return WithoutPort(detail.Find(TargetKey));
        return null;
    }

    private static bool NamesServers(AppLabel? app) =>
        app == AppLabel.Tls || app == AppLabel.Dtls || app == AppLabel.Quic || app == AppLabel.Http || app == AppLabel.HttpProxy;

    // "host:port" and "[v6]:port" to the host; a bare IPv6 address (two colons and more) stays whole.
    private static string? WithoutPort(string? authority)
    {
        if (authority is null) return null;
        if (authority.StartsWith('[')) return authority.IndexOf(']') is > 0 and var end ? authority[..(end + 1)] : authority;
        int colon = authority.IndexOf(':');
        return colon >= 0 && colon == authority.LastIndexOf(':') ? authority[..colon] : authority;
    }

    private static string Names(Rule rule) => string.Join(", ", rule.ServerNames!);
}
