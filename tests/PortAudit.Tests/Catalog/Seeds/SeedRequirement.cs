using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// One port requirement found in a seed document. <see cref="Transport"/> is null where the
/// document gives no transport; IP protocols without ports use the range 0-0.
/// </summary>
public sealed record SeedRequirement(string File, int Line, string Text, Transport? Transport, PortRange Ports)
{
    public override string ToString()
    {
        string transport = Transport is { } t ? TransportNames.Name(t) : "tcp-or-udp";
        string ports = Ports.Low == 0 ? "" : "/" + Ports;
        return $"{File}:{Line}: {transport}{ports}  ({Text})";
    }

    /// <summary>True when one rule citing this document covers the whole port range on the transport.</summary>
    public bool IsCoveredBy(IEnumerable<Rule> rules) =>
        rules.Any(r => r.Source.File == File && Candidates().Any(t => Covers(r, t)));

    private IEnumerable<Transport> Candidates() =>
        Transport is { } t ? [t] : [PortAudit.Common.Transport.Tcp, PortAudit.Common.Transport.Udp];

    // A dynamic range rule's ports are the deployment's range, which the inventory sets by platform (49152-65535 for
    // Windows Server 2008 and later, 1025-5000 for a declared legacy system, rpcDynamicPorts): it covers a row stating
    // a dynamic range inside the registered and dynamic ports (KB832017's "1024 - 65534"), whatever range it defaults to.
    private bool Covers(Rule rule, Transport transport) =>
        rule.Transports.Contains(transport)
        && (!TransportNames.HasPorts(transport) || rule.Ports.Any(range => range.Contains(Ports))
            || rule.DynamicRange && Ports.Low >= 1024 && Ports.Count > 1);
}
