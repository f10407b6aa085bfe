using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Scenarios;

/// <summary>What a careful auditor does with a finding.</summary>
public enum Judgement
{
    /// <summary>Worth acting on: a firewall rule to open or close, a host to identify, a protocol to fix.</summary>
    Actionable,

    /// <summary>Nothing to act on: the deployment works as the documents intend, or the capture cannot tell.</summary>
    Noise,
}

/// <summary>
/// An expected finding and how an auditor judges it. Matched by stable fields, never by order: kind, client and server
/// host (inventory names, "*" for a rule's wildcard side; an unnamed end by its zone label or by an address the finding
/// counts for it, see <see cref="FindingEnds"/>), then port and rule when given (null matches any: a label for every
/// <c>missing</c> requirement between two hosts, say).
/// </summary>
/// <param name="Kind">The finding kind.</param>
/// <param name="Client">Client host as the finding names it.</param>
/// <param name="Server">Server host as the finding names it.</param>
/// <param name="Ports">The finding's ports ("5061", or a rule's "1024-65535"), or null for any.</param>
/// <param name="Rule">Rule id, or null for any.</param>
/// <param name="Judgement">Act on it or not.</param>
/// <param name="Reason">Why, in one line, as the auditor would say it.</param>
public sealed record FindingLabel(FindingKind Kind, string Client, string Server, string? Ports, string? Rule, Judgement Judgement, string Reason)
{
    /// <summary>True when <paramref name="finding"/> is the one this label judges.</summary>
    public bool Matches(Finding finding) =>
        finding.Kind == Kind && FindingEnds.Match(finding, Client, Server, Ports) && (Rule is null || finding.Rule == Rule);

    /// <summary>Labels naming a port or rule come before catch-alls, so the most specific label judges a finding.</summary>
    public int Specificity => (Ports is null ? 0 : 1) + (Rule is null ? 0 : 1);
}

/// <summary>
/// How scenario tables name a finding's ends and port: an inventory name or "*" as the finding does, and an unnamed end
/// by its address. Findings count unnamed ends by zone with their addresses inside, and the ports of a zone pair inside
/// too, so an address or port matches when the finding counts it.
/// </summary>
public static class FindingEnds
{
    /// <summary>True when <paramref name="finding"/> is between <paramref name="client"/> and <paramref name="server"/> on <paramref name="ports"/> (null: any).</summary>
    public static bool Match(Finding finding, string client, string server, string? ports) =>
        End(finding.ClientHost, finding.ClientAddresses, client) && End(finding.ServerHost, finding.ServerAddresses, server)
        && (ports is null || finding.Ports == ports || Counts(finding.ServerPorts, ports));

    /// <summary>How a scenario names the end at <paramref name="address"/>: its inventory host, else the address.</summary>
    public static string Name(AuditEndpoint end, PortAudit.Common.IpAddr address) => end.Host?.Name ?? address.ToString();

    private static bool End(string host, CappedCounter<PortAudit.Common.IpAddr>? addresses, string name) =>
        host == name || (addresses is not null && addresses.Top(addresses.Capacity).Any(a => a.Key.ToString() == name));

    private static bool Counts(CappedCounter<TransportPort>? ports, string port) =>
        ports is not null && ports.Top(ports.Capacity).Any(p => p.Key.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) == port);
}

/// <summary>
/// A problem planted in a scenario on purpose, and how the audit must judge the flows of <paramref name="Client"/> to
/// <paramref name="Server"/> on <paramref name="Port"/>: with a finding of <paramref name="Kind"/> (when given), every such
/// flow with <paramref name="Verdict"/> (when given), and no finding of the kinds in <paramref name="NotAs"/>.
/// </summary>
/// <param name="Name">What was planted, as the issue names it.</param>
/// <param name="Kind">The finding kind that must report it, or null when the right judgement is no finding.</param>
/// <param name="Client">Client host as findings name it.</param>
/// <param name="Server">Server host as findings name it.</param>
/// <param name="Port">Server port.</param>
/// <param name="Verdict">The verdict every such flow must have, or null.</param>
/// <param name="NotAs">Kinds the flows must not be reported as (a one-way notification is never required-blocked).</param>
public sealed record PlantedProblem(string Name, FindingKind? Kind, string Client, string Server, int Port, Verdict? Verdict = null,
    params FindingKind[] NotAs)
{
    /// <summary>The severity the planted finding must have, or null for its kind's.</summary>
    public Severity? Severity { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// A realistic deployment: its inventory (a file in Scenarios/Inventories named after it), the captures that show it (real ones from
/// the repository or ../shared, and captures generated packet by packet), the label of every finding the audit
/// produces, and the problems planted in it.
/// </summary>
public sealed class Scenario
{
    /// <summary>Short name used in test names and the figures table.</summary>
    public required string Name { get; init; }

    /// <summary>Inventory file name in tests/PortAudit.Tests/Scenarios/Inventories: the scenario's name.</summary>
    public string Inventory => Name + ".yaml";

    /// <summary>Real captures, relative to the repository ("captures/lab.pcapng") or to ../shared ("shared:captures/x.pcap").</summary>
    public IReadOnlyList<string> RealCaptures { get; init; } = [];

    /// <summary>Captures generated packet by packet.</summary>
    public IReadOnlyList<ScenarioCapture> Generated { get; init; } = [];

    /// <summary>Every finding the audit produces, judged.</summary>
    public required IReadOnlyList<FindingLabel> Labels { get; init; }

    /// <summary>Problems planted on purpose.</summary>
    public IReadOnlyList<PlantedProblem> Planted { get; init; } = [];

    /// <summary>
    /// True when the scenario's hosts show the traffic their roles make, so that role drafting may learn from it and be
    /// judged on it (<see cref="LabelledDeployments"/>); false for one made of planted attacks.
    /// </summary>
    public bool TeachesRoles { get; init; } = true;

    /// <summary>The most specific label of <paramref name="finding"/>, or null when none judges it.</summary>
    public FindingLabel? LabelOf(Finding finding) =>
        Labels.Where(l => l.Matches(finding)).OrderByDescending(l => l.Specificity).FirstOrDefault();

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Shorthands for label tables, so that each row reads as the auditor's verdict.</summary>
public static class Judge
{
    /// <summary>A finding worth acting on.</summary>
    public static FindingLabel Act(FindingKind kind, string client, string server, string? ports, string? rule, string reason) =>
        new(kind, client, server, ports, rule, Judgement.Actionable, reason);

    /// <summary>A finding with nothing to act on.</summary>
    public static FindingLabel Noise(FindingKind kind, string client, string server, string? ports, string? rule, string reason) =>
        new(kind, client, server, ports, rule, Judgement.Noise, reason);

    /// <summary>
    /// Every <c>missing</c> requirement from <paramref name="client"/> to <paramref name="server"/> that no more specific
    /// label judges: requirements the capture gives no reason to expect in use, nothing to act on.
    /// </summary>
    public static FindingLabel NotExercised(string client, string server, string reason) =>
        new(FindingKind.Missing, client, server, null, null, Judgement.Noise, reason);
}
