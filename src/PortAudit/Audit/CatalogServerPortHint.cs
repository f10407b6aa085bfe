using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// Tells the flow table which side of a flow whose opening was not seen is the server: a port a rule names
/// exactly, or a well-known port. Ranges are left out on purpose: dynamic RPC and media ranges cover the
/// ports clients pick too, so they would turn clients into servers.
/// </summary>
public sealed class CatalogServerPortHint : IServerPortHint
{
    private readonly RuleIndex _index;

    /// <summary>Creates the hint over the deployment's rule index.</summary>
    public CatalogServerPortHint(RuleIndex index) => _index = index;

    /// <inheritdoc />
    public bool IsServerPort(byte protocol, ushort port) =>
        WellKnownPortHint.Instance.IsServerPort(protocol, port)
        || (protocol is (byte)Transport.Tcp or (byte)Transport.Udp && _index.GetPortHint((Transport)protocol, port) == PortHint.Fixed);
}
