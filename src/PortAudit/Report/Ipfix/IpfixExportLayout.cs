using PortAudit.Sources.Records.Ipfix;


namespace PortAudit.Report.Ipfix;

/// <summary>
/// PortAudit's enterprise-specific information elements: what the audit concluded about a flow, for collectors that
/// keep unknown elements (pmacct, ntopng with a custom field list). All three are strings (UTF-8, variable length).
/// </summary>
public static class PortAuditElements
{
    /// <summary>
    /// 32473, the private enterprise number IANA reserves for documentation and examples (RFC 5612): a placeholder
    /// until PortAudit has a number of its own. A collector must not take these elements for anyone else's.
    /// </summary>
    public const uint Enterprise = 32473;

    /// <summary>The verdict: expected, expected-dynamic-rpc, protocol-mismatch, unexpected, unmapped, ignored.</summary>
    public const ushort Verdict = 1;

    /// <summary>The catalog rule that allows the flow or whose requirement it shows blocked; empty for none.</summary>
    public const ushort RuleId = 2;

    /// <summary>The kind of finding the flow counts in (required-blocked, protocol-mismatch, unexpected, unmapped); empty for none.</summary>
    public const ushort FindingKind = 3;
}

/// <summary>
/// The templates PortAudit exports with: one for IPv4 flows, one for IPv6 flows (RFC 7011 needs a fixed address length
/// per template), each a whole bidirectional flow (RFC 5103: the reverse direction's counters under enterprise 29305),
/// the source being the flow's initiator. With verdicts, the audit's elements (<see cref="PortAuditElements"/>) follow.
/// </summary>
public sealed class IpfixExportLayout
{
    /// <summary>The template id of IPv4 flows.</summary>
    public const ushort V4TemplateId = 256;

    /// <summary>The template id of IPv6 flows.</summary>
    public const ushort V6TemplateId = 257;

    /// <summary>The longest string element, in bytes: longer text is cut at a character boundary, so a record always fits a message.</summary>
    public const int MaxTextBytes = 128;

    private static readonly IpfixExportLayout Plain = new(verdicts: false), Judged = new(verdicts: true);

    private IpfixExportLayout(bool verdicts)
    {
        Verdicts = verdicts;
        V4 = new IpfixTemplate(Fields(v6: false, verdicts), options: false);
        V6 = new IpfixTemplate(Fields(v6: true, verdicts), options: false);
    }

    /// <summary>The layout with or without the audit's elements.</summary>
    public static IpfixExportLayout Of(bool verdicts) => verdicts ? Judged : Plain;

    /// <summary>True when records carry the audit's elements.</summary>
    public bool Verdicts { get; }

    /// <summary>The IPv4 template.</summary>
    public IpfixTemplate V4 { get; }

    /// <summary>The IPv6 template.</summary>
    public IpfixTemplate V6 { get; }

    /// <summary>The longest record either template can produce.</summary>
    public int MaxRecordLength => Math.Max(MaxLength(V4), MaxLength(V6));

    private static int MaxLength(IpfixTemplate template) =>
        template.Fields.Sum(f => f.Length == IpfixTemplate.VariableLength ? 1 + MaxTextBytes : f.Length);

    private static IpfixField[] Fields(bool v6, bool verdicts)
    {
        const ushort Text = IpfixTemplate.VariableLength;
        List<IpfixField> fields =
        [
            new(IpfixElements.FlowStartMilliseconds, 0, 8),
            new(IpfixElements.FlowEndMilliseconds, 0, 8),
            new(v6 ? IpfixElements.SourceIPv6Address : IpfixElements.SourceIPv4Address, 0, (ushort)(v6 ? 16 : 4)),
            new(v6 ? IpfixElements.DestinationIPv6Address : IpfixElements.DestinationIPv4Address, 0, (ushort)(v6 ? 16 : 4)),
            new(IpfixElements.SourceTransportPort, 0, 2),
            new(IpfixElements.DestinationTransportPort, 0, 2),
            new(IpfixElements.ProtocolIdentifier, 0, 1),
            new(v6 ? IpfixElements.IcmpTypeCodeIPv6 : IpfixElements.IcmpTypeCodeIPv4, 0, 2),
            new(IpfixElements.BiflowDirection, 0, 1),
            new(IpfixElements.OctetDeltaCount, 0, 8),
            new(IpfixElements.PacketDeltaCount, 0, 8),
            new(IpfixElements.OctetDeltaCount, IpfixElements.ReverseEnterprise, 8),
            new(IpfixElements.PacketDeltaCount, IpfixElements.ReverseEnterprise, 8),
            new(IpfixElements.ApplicationName, 0, Text),
        ];
        if (verdicts)
        {
            fields.Add(new(PortAuditElements.Verdict, PortAuditElements.Enterprise, Text));
            fields.Add(new(PortAuditElements.RuleId, PortAuditElements.Enterprise, Text));
            fields.Add(new(PortAuditElements.FindingKind, PortAuditElements.Enterprise, Text));
        }
        return [.. fields];
    }
}
