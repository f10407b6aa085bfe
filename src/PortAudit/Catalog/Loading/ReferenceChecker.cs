using PortAudit.Common;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Checks what no single file can: that rules name defined roles and features, and that rule
/// ids are unique across the whole catalog.
/// </summary>
internal sealed class ReferenceChecker
{
    private readonly HashSet<string> _roles;
    private readonly HashSet<string> _zones;
    private readonly HashSet<string> _features;
    private readonly ErrorList _errors;
    private readonly Dictionary<string, SourceSpot> _ids = new(StringComparer.Ordinal);

    public ReferenceChecker(IEnumerable<string> roles, IEnumerable<string> features, IEnumerable<string> zones, ErrorList errors)
    {
        _roles = new HashSet<string>(roles, StringComparer.Ordinal) { RuleSide.Any };
        _zones = new HashSet<string>(zones, StringComparer.Ordinal);
        _features = new HashSet<string>(features, StringComparer.Ordinal);
        _errors = errors;
    }

    public void Check(RuleDraft draft)
    {
        var rule = draft.Rule;
        if (_ids.TryGetValue(rule.Id, out var first))
            _errors.Add(draft.IdSpot, $"duplicate id '{rule.Id}' (first defined at {first.File}:{first.Line}:{first.Column})");
        else
            _ids.Add(rule.Id, draft.IdSpot);
        CheckSide(rule.From, draft.FromSpots);
        CheckSide(rule.To, draft.ToSpots);
        var features = rule.Conditions.Concat(rule.Unless).ToArray();
        for (int i = 0; i < features.Length; i++)
        {
            if (!_features.Contains(features[i]))
                _errors.Add(draft.FeatureSpots[i], $"unknown feature '{features[i]}' (define it in features.yaml){Spelling.Suggestion(features[i], _features)}");
            else if (rule.Conditions.Contains(features[i]) && rule.Unless.Contains(features[i]))
                _errors.Add(draft.FeatureSpots[i], $"feature '{features[i]}' is both a condition and in 'unless': the rule could never apply");
        }
    }

    private void CheckSide(RuleSide side, SourceSpot[] spots)
    {
        for (int i = 0; i < side.Selectors.Count; i++)
        {
            string selector = side.Selectors[i];
            if (RuleSide.ZoneOf(selector) is { } zone)
            {
                if (!_zones.Contains(zone))
                    _errors.Add(spots[i], $"unknown zone '{zone}' in '{selector}' (define it in {CatalogLoader.ZonesFile}){Spelling.Suggestion(zone, _zones)}");
            }
            else if (!_roles.Contains(selector))
                _errors.Add(spots[i], $"unknown role '{selector}' (define it in roles.yaml){Spelling.Suggestion(selector, _roles)}");
        }
    }
}
