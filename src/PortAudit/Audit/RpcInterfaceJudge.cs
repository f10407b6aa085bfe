using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Audit;

/// <summary>What the audit holds against one interface or operation a flow bound or called.</summary>
/// <param name="Reason">The interface, the operation when one decided, and why, in words.</param>
/// <param name="Severity">High for an interface or operation an attacker uses (<see cref="RpcExposure"/>), else medium.</param>
/// <param name="Explanation">The role (and rule) that would allow it, when one would; null otherwise.</param>
public sealed record RpcConcern(string Reason, Severity Severity, string? Explanation);

/// <summary>
/// Judges every DCE/RPC interface a flow bound (<see cref="Flow.RpcCalls"/>, else the one inspection or the endpoint
/// mapper named, <see cref="Flow.DceRpc"/>) against the <c>interfaces</c> of the rules between its two ends: an allowed
/// port is not an allowed conversation. An interface is judged when an attacker uses it, or when a rule between the two
/// ends speaks of interfaces at all; one that no rule grants, or an operation its grants leave out, is a concern. An
/// interface the server refused to bind ran nothing: offering it is a refused attempt, a concern of low severity, as an
/// unexpected flow refused is. The endpoint mapper's own interface and its management interface are what every RPC
/// client binds first, never judged.
/// </summary>
public sealed class RpcInterfaceJudge(RuleIndex index, Inventory inventory)
{
    /// <summary>
    /// The first of the flow's most severe concerns; null when every binding is allowed or none was read.
    /// <paramref name="applies"/> says whether a rule applies between the two ends (features, publication).
    /// </summary>
    public RpcConcern? Judge(Flow flow, AuditEndpoint client, AuditEndpoint server, Func<Rule, bool> applies)
    {
        if (flow.RpcCalls is not { Bindings.Count: > 0 } && flow.DceRpc is null) return null;
        var grants = index.GrantingRules(client.Roles, server.Roles).Where(applies).ToList();
        RpcConcern? found = null;
        foreach (var (uuid, name, opnums, unseen, refused) in Bindings(flow))
        {
            if (RpcExposure.IsPlumbing(name)) continue;
            bool sensitive = RpcExposure.IsSensitive(name);
            // A proprietary interface (a product's own COM objects) has no name here: only the attacker's list and named
            // interfaces that a rule between the two ends could have listed are judged.
            if (!sensitive && (grants.Count == 0 || name is null)) continue;
            var concern = Concern(name ?? uuid.ToString(), opnums, unseen ? flow.RpcCalls?.Uninspectable ?? UnseenCalls : null,
                refused, grants, uuid, client, server, sensitive);
            if (concern is null) continue;
            if (concern.Severity == Severity.High) return concern;
            if (found is null || concern.Severity < found.Severity) found = concern;
        }
        return found;
    }

    // Why calls of a binding went unread when the log does not say: its context id or its pipe could not be followed.
    private const string UnseenCalls = "its calls could not be told apart";

    // Each binding with the operations read, and whether calls on it may have gone unread. A flow whose RPC could not be
    // followed to its end is judged on the interface its bytes or the endpoint mapper named too, as if anything was called.
    private static IEnumerable<(Guid Uuid, string? Name, IReadOnlyList<ushort> Opnums, bool Unseen, bool Refused)> Bindings(Flow flow)
    {
        if (flow.RpcCalls is { Bindings.Count: > 0 } calls)
        {
            foreach (var binding in calls.Bindings)
                yield return (binding.Uuid, binding.Name, binding.Opnums, binding.CallsUnseen, binding.Refused);
            if (calls.Uninspectable is not null && flow.DceRpc is { } named && !calls.Bindings.Any(b => b.Uuid == named.Uuid))
                yield return (named.Uuid, named.Name, [], true, false);
        }
        else if (flow.DceRpc is { } facts)
            yield return (facts.Uuid, facts.Name, [], flow.RpcCalls?.Uninspectable is not null, false);
    }

    // An interface the server refused ran nothing: a concern only where no rule between the ends grants it, and then of
    // low severity with no role to suggest (the server itself said no).
    private RpcConcern? Concern(string name, IReadOnlyList<ushort> opnums, string? unseen, bool refused, List<Rule> rules, Guid uuid,
        AuditEndpoint client, AuditEndpoint server, bool sensitive)
    {
        var severity = sensitive ? Severity.High : Severity.Medium;
        var grants = rules.SelectMany(r => r.Interfaces!).Where(g => g.Interface == name).ToList();
        string between = $"from {Describe(client)} to {Describe(server)}";
        if (refused)
            return grants.Count > 0 ? null
                : new RpcConcern($"DCE/RPC interface {name} was offered {between} and refused by the server: no rule between their roles grants it",
                    Severity.Low, null);
        if (grants.Count == 0)
            return new RpcConcern($"DCE/RPC interface {name}{Operations(uuid, opnums)} is not allowed {between}: no rule between their roles grants it",
                severity, Explain(name, null, client, server));
        string granted = string.Join("; ", grants.Select(g => g.ToString()).Distinct());
        foreach (var opnum in opnums)
        {
            if (grants.Any(g => g.Allows(opnum))) continue;
            return new RpcConcern($"DCE/RPC operation {Operation(uuid, opnum)} of {name} is not allowed {between}: " +
                                  $"the rules between their roles grant {granted}",
                severity, Explain(name, opnum, client, server));
        }
        // Calls that were not read may be any: only a grant of every operation covers them.
        if (unseen is not null && !grants.Any(g => g.Only is null && g.Except.Count == 0))
            return new RpcConcern($"DCE/RPC interface {name} was bound {between} but not all its calls could be read ({unseen}): " +
                                  $"the rules between their roles grant {granted}",
                severity, Explain(name, null, client, server));
        return null;
    }

    // "would be allowed if ws01 had role domain-controller (rule ...)": the first rule granting the call whose other side
    // takes its end.
    private string? Explain(string name, ushort? opnum, AuditEndpoint client, AuditEndpoint server) =>
        RoleExplanation.Find(index, inventory,
            r => r.Interfaces is { } grants && grants.Any(g => g.Interface == name && (opnum is null || g.Allows(opnum.Value))), client, server);

    private static string Describe(AuditEndpoint end) => end.Name ?? end.RoleLabel;

    private static string Operations(Guid uuid, IReadOnlyList<ushort> opnums) =>
        opnums.Count == 0 ? "" : $" (operations {string.Join(", ", opnums.Select(o => Operation(uuid, o)))})";

    private static string Operation(Guid uuid, ushort opnum) =>
        RpcOperations.Name(uuid, opnum) is { } known ? $"{opnum} {known}" : opnum.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
