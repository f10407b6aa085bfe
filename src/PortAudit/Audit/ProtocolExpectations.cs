using PortAudit.Catalog;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>
/// Whether what inspection found fulfils a rule's protocol (the labels each catalog protocol stands for are
/// <see cref="ProtocolLabels"/>'). A flow contradicts its rule only when inspection found a label and it is not among
/// the accepted ones: no label is no evidence, and a protocol without labels is one inspection cannot judge, but for
/// a tunnel or transport found under it that none of the documents' protocols runs over.
/// </summary>
public static class ProtocolExpectations
{
    /// <summary>The application labels that fulfil <paramref name="ruleProtocol"/>, or null when inspection cannot judge it.</summary>
    public static IReadOnlyList<AppLabel>? AcceptedApps(string ruleProtocol) => ProtocolLabels.For(ruleProtocol);

    /// <summary>True when inspection found <paramref name="app"/> and it is one of the labels of <paramref name="ruleProtocol"/>: evidence, not mere absence of contradiction.</summary>
    public static bool Confirms(string ruleProtocol, AppLabel? app) =>
        app is not null && ProtocolLabels.For(ruleProtocol) is { } apps && apps.Contains(app);

    /// <summary>
    /// True unless inspection found <paramref name="app"/> and it contradicts <paramref name="ruleProtocol"/>: a label the
    /// protocol does not accept, or one no protocol of the documents runs over (<see cref="ProtocolLabels.OutsideTheDocuments"/>)
    /// under a protocol inspection cannot judge.
    /// </summary>
    public static bool Accepts(string ruleProtocol, AppLabel? app) =>
        app is null || (ProtocolLabels.For(ruleProtocol) is { } apps ? apps.Contains(app) : !ProtocolLabels.OutsideTheDocuments.Contains(app));

    /// <summary>
    /// True unless <paramref name="carried"/>, the application a TLS flow's server selected by ALPN, is one that
    /// <paramref name="ruleProtocol"/> does not carry (<see cref="ProtocolLabels.CarriedOverTls"/>): HTTP/2 on LDAPS's port.
    /// </summary>
    public static bool AcceptsCarried(string ruleProtocol, AppLabel? carried) =>
        carried is null || ProtocolLabels.CarriedOverTls(ruleProtocol) is not { } apps || apps.Contains(carried);
}
