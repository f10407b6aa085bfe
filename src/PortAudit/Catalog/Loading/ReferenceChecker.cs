namespace PortAudit.Catalog.Loading;

/// <summary>
/// Checks what no single file can: that rules name defined roles and features, and that rule
/// ids are unique across the whole catalog.
/// </summary>
internal sealed class ReferenceChecker
{
    private readonly HashSet<string> _roles;
    private readonly HashSet<string> _features;
    private readonly ErrorList _errors;
    private readonly Dictionary<string, SourceSpot> _ids = new(StringComparer.Ordinal);

    public ReferenceChecker(IEnumerable<string> roles, IEnumerable<string> features, ErrorList errors)
    {
        _roles = new HashSet<string>(roles, StringComparer.Ordinal) { Role.AnyId };
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
        CheckRole(rule.From, draft.FromSpot);
        CheckRole(rule.To, draft.ToSpot);
        for (int i = 0; i < rule.Conditions.Count; i++)
        {
            if (!_features.Contains(rule.Conditions[i]))
                _errors.Add(draft.ConditionSpots[i], $"unknown feature '{rule.Conditions[i]}' (define it in features.yaml)");
        }
    }

    private void CheckRole(string role, SourceSpot spot)
    {
        if (!_roles.Contains(role))
            _errors.Add(spot, $"unknown role '{role}' (define it in roles.yaml)");
    }
}
