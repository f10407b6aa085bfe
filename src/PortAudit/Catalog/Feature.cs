namespace PortAudit.Catalog;

/// <summary>
/// A deployment choice (federation, IPsec, HTTPS disabled...) that switches rules on. A rule with
/// conditions applies only when the deployment has all of its features.
/// </summary>
/// <param name="Id">Stable kebab-case identifier used in rule conditions.</param>
/// <param name="Description">What choosing the feature means.</param>
public sealed record Feature(string Id, string Description);
