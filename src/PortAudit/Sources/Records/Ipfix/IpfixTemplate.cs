
namespace PortAudit.Sources.Records.Ipfix;

/// <summary>One field specifier of a template: information element, enterprise (0 for IANA's), length (65535: variable).</summary>
/// <param name="Id">Information element id, enterprise bit cleared.</param>
/// <param name="Enterprise">Private enterprise number; 29305 marks RFC 5103 reverse elements.</param>
/// <param name="Length">Encoded length in bytes; <see cref="IpfixTemplate.VariableLength"/> for variable-length fields.</param>
public readonly record struct IpfixField(ushort Id, uint Enterprise, ushort Length);

/// <summary>
/// A template (or options template) as an exporter announced it. Options templates describe the exporter itself
/// (sampling, interface names), not flows: their data sets are passed over, not rejected.
/// </summary>
public sealed class IpfixTemplate
{
    /// <summary>The length that marks a variable-length field (RFC 7011 §7).</summary>
    public const ushort VariableLength = 65535;

    /// <summary>
    /// NetFlow v5's fixed 48-byte record (Cisco's NetFlow export datagram format) as the IPFIX elements it holds, so
    /// that v5 records are read by the same code as templated ones: addresses, next hop, interfaces, packets, octets,
    /// first and last (sysUptime ms), ports, a pad byte, TCP flags, protocol, ToS, AS numbers, prefix lengths, two pad bytes.
    /// </summary>
    public static IpfixTemplate NetFlowV5 { get; } = new(
    [
        new(IpfixElements.SourceIPv4Address, 0, 4), new(IpfixElements.DestinationIPv4Address, 0, 4),
        new(IpfixElements.IpNextHopIPv4Address, 0, 4), new(IpfixElements.IngressInterface, 0, 2),
        new(IpfixElements.EgressInterface, 0, 2), new(IpfixElements.PacketDeltaCount, 0, 4),
        new(IpfixElements.OctetDeltaCount, 0, 4), new(IpfixElements.FlowStartSysUpTime, 0, 4),
        new(IpfixElements.FlowEndSysUpTime, 0, 4), new(IpfixElements.SourceTransportPort, 0, 2),
        new(IpfixElements.DestinationTransportPort, 0, 2), new(IpfixElements.PaddingOctets, 0, 1),
        new(IpfixElements.TcpControlBits, 0, 1), new(IpfixElements.ProtocolIdentifier, 0, 1),
        new(IpfixElements.IpClassOfService, 0, 1), new(IpfixElements.BgpSourceAsNumber, 0, 2),
        new(IpfixElements.BgpDestinationAsNumber, 0, 2), new(IpfixElements.SourceIPv4PrefixLength, 0, 1),
        new(IpfixElements.DestinationIPv4PrefixLength, 0, 1), new(IpfixElements.PaddingOctets, 0, 2),
    ], options: false);

    /// <summary>A template of <paramref name="fields"/>.</summary>
    public IpfixTemplate(IpfixField[] fields, bool options)
    {
        Fields = fields;
        Options = options;
        foreach (var field in fields) MinRecordLength += field.Length == VariableLength ? 1 : field.Length;
    }

    /// <summary>The field specifiers, in record order.</summary>
    public IpfixField[] Fields { get; }

    /// <summary>True for an options template.</summary>
    public bool Options { get; }

    /// <summary>The shortest record: padding at the end of a set is shorter than this.</summary>
    public int MinRecordLength { get; }
}
