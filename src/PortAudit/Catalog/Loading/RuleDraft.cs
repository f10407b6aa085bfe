namespace PortAudit.Catalog.Loading;

/// <summary>
/// A rule read from its file but not yet checked against the roles, features and other files;
/// it keeps the places of the values those checks may reject (<see cref="FeatureSpots"/>: the conditions, then unless).
/// </summary>
internal sealed record RuleDraft(
    Rule Rule,
    SourceSpot IdSpot,
    SourceSpot[] FromSpots,
    SourceSpot[] ToSpots,
    SourceSpot ProtocolSpot,
    SourceSpot[] FeatureSpots);
