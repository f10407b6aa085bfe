namespace PortAudit.Catalog.Loading;

/// <summary>
/// A rule read from its file but not yet checked against the roles, features and other files;
/// it keeps the places of the values those checks may reject.
/// </summary>
internal sealed record RuleDraft(
    Rule Rule,
    SourceSpot IdSpot,
    SourceSpot FromSpot,
    SourceSpot ToSpot,
    SourceSpot ProtocolSpot,
    IReadOnlyList<SourceSpot> ConditionSpots);
