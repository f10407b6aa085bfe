using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;

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
    /// True unless <paramref name="carried"/>, the application a TLS or DTLS flow's server selected by ALPN
    /// (<see cref="Carried"/>), is one that <paramref name="ruleProtocol"/> does not carry
    /// (<see cref="ProtocolLabels.CarriedOverTls"/>): HTTP/2 on LDAPS's port.
    /// </summary>
    public static bool AcceptsCarried(string ruleProtocol, AppLabel? carried) =>
        carried is null || ProtocolLabels.CarriedOverTls(ruleProtocol) is not { } apps || apps.Contains(carried);

    /// <summary>
    /// True unless what inspection found of a flow contradicts <paramref name="ruleProtocol"/>: its label
    /// <paramref name="app"/> (<see cref="Accepts"/>) or, inside TLS or DTLS, the application its server selected,
    /// <paramref name="carried"/> (<see cref="AcceptsCarried"/>). The one test of whether a rule could allow the flow.
    /// </summary>
    public static bool AcceptsFound(string ruleProtocol, AppLabel? app, AppLabel? carried) =>
        Accepts(ruleProtocol, app) && AcceptsCarried(ruleProtocol, carried);

    /// <summary>
    /// The application inside a TLS or DTLS flow that its server selected by ALPN (RFC 7301 3.1: the server "SHALL NOT"
    /// then speak another), as <see cref="AlpnProtocols"/> labels the id; null when the server selected none or an id of
    /// no labelled application. A client's offer alone is no proof: browsers offer h2 and http/1.1 to every server, and one
    /// that does not speak them ignores the offer. Read without allocating: every TLS flow asks.
    /// </summary>
    public static AppLabel? Carried(Flow flow) =>
        (flow.App == AppLabel.Tls || flow.App == AppLabel.Dtls)
        && AlpnProtocols.TryGetApplication(AlpnProtocols.Selected(flow.AppDetail), out var inside, out _) ? inside : null;
}
