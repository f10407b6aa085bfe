namespace PortAudit.Sources.Records.Ipfix;

/// <summary>The information elements (IANA IPFIX registry; NetFlow v9 shares the low numbers) a flow is built from.</summary>
internal static class IpfixElements
{
    public const ushort OctetDeltaCount = 1;
    public const ushort PacketDeltaCount = 2;
    public const ushort ProtocolIdentifier = 4;
    public const ushort IpClassOfService = 5;
    public const ushort TcpControlBits = 6;
    public const ushort SourceTransportPort = 7;
    public const ushort SourceIPv4Address = 8;
    public const ushort SourceIPv4PrefixLength = 9;
    public const ushort IngressInterface = 10;
    public const ushort DestinationTransportPort = 11;
    public const ushort DestinationIPv4Address = 12;
    public const ushort DestinationIPv4PrefixLength = 13;
    public const ushort EgressInterface = 14;
    public const ushort IpNextHopIPv4Address = 15;
    public const ushort BgpSourceAsNumber = 16;
    public const ushort BgpDestinationAsNumber = 17;
    public const ushort FlowEndSysUpTime = 21;
    public const ushort FlowStartSysUpTime = 22;
    public const ushort SourceIPv6Address = 27;
    public const ushort DestinationIPv6Address = 28;
    public const ushort IcmpTypeCodeIPv4 = 32;
    public const ushort OctetTotalCount = 85;
    public const ushort PacketTotalCount = 86;
    public const ushort ApplicationName = 96;
    public const ushort IcmpTypeCodeIPv6 = 139;
    public const ushort FlowStartSeconds = 150;
    public const ushort FlowEndSeconds = 151;
    public const ushort FlowStartMilliseconds = 152;
    public const ushort FlowEndMilliseconds = 153;
    public const ushort FlowStartMicroseconds = 154;
    public const ushort FlowEndMicroseconds = 155;
    public const ushort FlowStartNanoseconds = 156;
    public const ushort FlowEndNanoseconds = 157;
    public const ushort SystemInitTimeMilliseconds = 160;
    public const ushort IcmpTypeIPv4 = 176;
    public const ushort IcmpCodeIPv4 = 177;
    public const ushort IcmpTypeIPv6 = 178;
    public const ushort IcmpCodeIPv6 = 179;
    public const ushort PaddingOctets = 210;
    public const ushort InitiatorOctets = 231;
    public const ushort ResponderOctets = 232;
    public const ushort FirewallEvent = 233;
    public const ushort BiflowDirection = 239;
    public const ushort InitiatorPackets = 298;
    public const ushort ResponderPackets = 299;
    public const ushort ObservationTimeMilliseconds = 323;

    /// <summary>Palo Alto's App-ID name in NetFlow v9 (a 32-byte string).</summary>
    public const ushort PaloAltoAppId = 56701;

    /// <summary>RFC 5103: the enterprise number under which an element means the same thing in the reverse direction.</summary>
    public const uint ReverseEnterprise = 29305;

    /// <summary>firewallEvent values (Cisco NSEL and IANA): flow created, deleted, denied, updated.</summary>
    public const byte EventCreated = 1, EventDeleted = 2, EventDenied = 3, EventUpdated = 5;

    /// <summary>
    /// biflowDirection (RFC 5103 §6.3): the record's source and destination were assigned arbitrarily (0); the source is
    /// the flow's initiator (1); the destination is (2, reverseInitiator); the source is the end outside a perimeter (3).
    /// </summary>
    public const byte DirectionArbitrary = 0, DirectionInitiator = 1, DirectionReverseInitiator = 2, DirectionPerimeter = 3;
}
