using PortAudit.Common;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Warns about rule protocols that no inspector can confirm: either the catalog's protocol has no application label
/// (<see cref="ProtocolLabels"/>), or none of its labels is one an inspector produces. Such rules still work, matched
/// by port only, so these are warnings; each protocol is named once, at its first rule.
/// </summary>
internal sealed class ProtocolLabelChecker
{
    private readonly IReadOnlySet<AppLabel> _produced;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<CatalogError> _warnings = [];

    public ProtocolLabelChecker(IReadOnlySet<AppLabel> produced) => _produced = produced;

    /// <summary>The warnings so far, in rule order.</summary>
    public IReadOnlyList<CatalogError> Warnings => _warnings;

    public void Check(RuleDraft draft)
    {
        string protocol = draft.Rule.Protocol;
        // ICMP is judged by its message types (the rule's icmp list), never by a label: nothing to warn of.
        if (draft.Rule.Transports.All(TransportNames.IsIcmp) || !_seen.Add(protocol))
            return;
        if (ProtocolLabels.For(protocol) is not { } labels)
            _warnings.Add(draft.ProtocolSpot.Error($"protocol '{protocol}' has no application label: no inspector confirms it, its flows are matched by port only"));
        else if (labels.Count == 0)
            _warnings.Add(draft.ProtocolSpot.Error(
                $"protocol '{protocol}' has no application label: its flows are matched by port, and any protocol inspection recognises there contradicts it"));
        else if (!labels.Any(_produced.Contains))
            _warnings.Add(draft.ProtocolSpot.Error(
                $"protocol '{protocol}' expects {string.Join(" or ", labels)}, which no inspector produces: its flows are matched by port only"));
    }
}
