using PortAudit.Common;

namespace PortAudit.Audit.Triage;

/// <summary>One end of a finding as suppressions see it: the host as reports name it and its roles.</summary>
/// <param name="Host">An inventory host name, the address of an unnamed end, or "*" for a rule's any side.</param>
/// <param name="Roles">The end's roles (the rule's for missing findings); empty for an unnamed end.</param>
public sealed record FindingEnd(string Host, IReadOnlyList<string> Roles);

/// <summary>
/// What suppressions and baselines match a finding on, read from its public properties only: how findings are
/// aggregated may change without triage noticing, as long as a finding still names its kind, ends, port and rule.
/// </summary>
/// <param name="Id">The finding's stable id (<see cref="FindingIdentity"/>).</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Rule">Its rule id, or null.</param>
/// <param name="Client">The client end.</param>
/// <param name="Server">The server end.</param>
/// <param name="Transport">tcp, udp...</param>
/// <param name="Ports">The server port, or a rule's ports ("1024-65535", "5061,5062").</param>
public sealed record FindingFacts(
    string Id, FindingKind Kind, string? Rule, FindingEnd Client, FindingEnd Server, string Transport, string Ports)
{
    /// <summary>The facts of <paramref name="finding"/>.</summary>
    public static FindingFacts Of(Finding finding) => new(finding.Id, finding.Kind, finding.Rule,
        new FindingEnd(finding.ClientHost, finding.ClientRoles), new FindingEnd(finding.ServerHost, finding.ServerRoles),
        finding.Transport, finding.Ports);
}
