using System.Diagnostics.CodeAnalysis;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Audit;

/// <summary>
/// The server a flow names, judged against the names its rule allows (<see cref="Rule.ServerNames"/>): the SNI of a TLS,
/// DTLS or QUIC client hello, the Host of an HTTP request, the target of a proxy's CONNECT. TLS to a paste site on a port
/// the Edge may use towards the Internet is not the conversation a rule that names its partners allows. Asked only of
/// rules that name servers: the documents' rules name none, so their flows cost one null test.
/// </summary>
internal static class ServerNameCheck
{
    /// <summary>
    /// True when <paramref name="rule"/> names servers and <paramref name="flow"/> named another, named its server by
    /// something no DNS name is (an address, say), or gave a name longer than inspection keeps (its end, which a pattern
    /// is matched on, was not kept); <paramref name="named"/> is what the flow named, in words.
    /// </summary>
    public static bool Refuses(Rule rule, Flow flow, [NotNullWhen(true)] out string? named)
    {
        named = null;
        if (rule.ServerNames is not { } names || Named(flow) is not var (given, keptAtMost)) return false;
        if (Comparable(given, keptAtMost) is { } name && ServerName.Any(names, name)) return false;
        named = given.Length >= keptAtMost ? $"'{given}' (cut at {keptAtMost} characters: its end is not known)" : $"'{given}'";
        return true;
    }

    /// <summary>Why a flow that named <paramref name="named"/> (<see cref="Refuses"/>' words) is not one <paramref name="rule"/> allows.</summary>
    public static string Reason(Flow flow, Rule rule, string named) =>
        $"{flow.App} names its server {named}, which rule {rule.Id} does not allow (it allows {Names(rule)})";

    /// <summary>
    /// The server name <paramref name="flow"/> gave, without a port, as DNS compares it (<see cref="ServerName.Normalize"/>);
    /// null when it gave none, gave no DNS name, or gave one longer than inspection keeps.
    /// </summary>
    public static string? NameOf(Flow flow) => Named(flow) is var (given, keptAtMost) ? Comparable(given, keptAtMost) : null;

    /// <summary>
    /// For a flow <paramref name="rule"/> allowed, in a protocol whose clients name their server, of which no name is known:
    /// a TLS hello without SNI or an HTTP/1.0 request without Host that inspection read, or a flow record (Zeek's conn.log,
    /// IPFIX) whose exporter gave the application but not the name. Its verdict rests on the port, and the reason says so,
    /// and why. Null otherwise.
    /// </summary>
    public static string? Nameless(Flow flow, Rule? rule)
    {
        if (rule?.ServerNames is null || NameKey(flow.App) is null || Named(flow) is not null) return null;
        // Only a flow whose payload we read can be said to have named none: a record's exporter keeps no name.
        string known = flow.Evidence.ReadsContent() ? $"{flow.App} names no server"
            : $"the flow record ({flow.Evidence.Name()}) gives {flow.App} but no server name";
        return $"{known} where rule {rule.Id} allows only {Names(rule)}: allowed by port only";
    }

    // Where a flow of application app names its server in its detail, and how many characters of it inspection keeps;
    // null for an application that names none.
    private static (string Key, int KeptAtMost)? NameKey(AppLabel? app) =>
        app == AppLabel.Tls || app == AppLabel.Dtls || app == AppLabel.Quic ? (DetailKeys.ServerName, TlsHello.MaxServerName)
        : app == AppLabel.Http ? (DetailKeys.Host, HttpInspector.MaxHost)
        : app == AppLabel.HttpProxy ? (DetailKeys.ProxyTarget, HttpInspector.MaxTarget)
        : null;

    // The name as the flow gave it (a Host or CONNECT target with its port), and how many characters of it inspection
    // keeps; null when it gave none.
    private static (string Given, int KeptAtMost)? Named(Flow flow) =>
        flow.AppDetail is { } detail && NameKey(flow.App) is var (key, kept) && detail.Find(key) is { } given ? (given, kept) : null;

    // The name as DNS compares it, its port left out; null when it is no DNS name, or as long as inspection keeps (cut,
    // its end is not known).
    private static string? Comparable(string given, int keptAtMost) =>
        given.Length < keptAtMost ? ServerName.Normalize(WithoutPort(given)) : null;

    // "host:port" and "[v6]:port" to the host; a bare IPv6 address (two colons and more) stays whole.
    private static string WithoutPort(string authority)
    {
        if (authority.StartsWith('[')) return authority.IndexOf(']') is > 0 and var end ? authority[..(end + 1)] : authority;
        int colon = authority.IndexOf(':');
        return colon >= 0 && colon == authority.LastIndexOf(':') ? authority[..colon] : authority;
    }

    private static string Names(Rule rule) => string.Join(", ", rule.ServerNames!);
}
