using System.Buffers.Binary;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// Decodes IPFIX messages and NetFlow v9 packets into flow records. Templates are held per exporter, observation
/// domain (v9: source id) and template id, as RFC 7011 §8 scopes them; a data set whose template has not come is
/// counted as rejected with its byte offset (a collector that starts late sees those until the exporter resends its
/// templates); options data is read only for the exporter's systemInitTimeMilliseconds, the origin of its uptime times. Records that carry both directions (RFC 5103 reverse elements, Cisco
/// NSEL initiator and responder counters) are whole flows; one-way records go to the <see cref="IpfixFlowPairer"/>.
/// </summary>
public sealed class IpfixDecoder
{
    // Templates, and per domain the systemInitTimeMilliseconds from options data (the origin of flowStart/EndSysUpTime).
    private readonly IpfixTemplateCache _templates;
    // The message being decoded, for the places problems name.
    private bool _datagram;
    private IpAddr _exporter;
    private long _messageStart;
    private readonly RecordStatistics _statistics;
    private readonly IpfixFlowPairer _pairer;
    private long _receivedMs = -1;

    /// <summary>
    /// A decoder whose flows go to <paramref name="pairer"/> and whose problems to <paramref name="statistics"/>; its
    /// templates are held in <paramref name="templates"/> (by default one with the default bounds).
    /// </summary>
    public IpfixDecoder(RecordStatistics statistics, IpfixFlowPairer pairer, IpfixTemplateCache? templates = null)
    {
        _statistics = statistics;
        _pairer = pairer;
        _templates = templates ?? new IpfixTemplateCache();
    }

    /// <summary>Templates held, all exporters together.</summary>
    public int Templates => _templates.Count;

    /// <summary>
    /// Decodes the message at the start of <paramref name="data"/>, from <paramref name="exporter"/>; returns the bytes
    /// it occupies, or 0 when its header is unusable (the problem is counted). <paramref name="offset"/> is where
    /// <paramref name="data"/> begins in <paramref name="input"/>, for problems. <paramref name="receivedMs"/> is when
    /// the message arrived, in milliseconds of any steady clock (a collector's, a capture's packet times): templates not
    /// announced again within their lifetime expire by it; negative (files) for none.
    /// </summary>
    public int Decode(ReadOnlySpan<byte> data, bool datagram, IpAddr exporter, string input, long offset, long receivedMs = -1)
    {
        int length = DecodeMessage(data, datagram, exporter, input, offset, receivedMs);
        // Only now may the pairer give up on a record of this message: its reverse may be the next record in it.
        _pairer.EndOfMessage();
        return length;
    }

    private int DecodeMessage(ReadOnlySpan<byte> data, bool datagram, IpAddr exporter, string input, long offset, long receivedMs)
    {
        _receivedMs = receivedMs;
        (_datagram, _exporter, _messageStart) = (datagram, exporter, offset);
        if (receivedMs >= 0) _statistics.CountTemplatesExpired(_templates.Expire(receivedMs));
        if (!IpfixMessage.TryRead(data, datagram, out var message, out var problem))
        {
            Reject(input, offset, problem!);
            return 0;
        }
        int headerLength = message.HeaderLength;
        if (message.Version == IpfixMessage.NetFlowV5Version)
        {
            ReadRecords(message.Sets, IpfixTemplate.NetFlowV5, default, message, input, offset + headerLength);
            return message.Length;
        }
        var sets = message.Sets;
        int position = 0;
        while (position + 4 <= sets.Length)
        {
            ushort setId = BinaryPrimitives.ReadUInt16BigEndian(sets[position..]);
            int setLength = BinaryPrimitives.ReadUInt16BigEndian(sets[(position + 2)..]);
            long setOffset = offset + headerLength + position;
            if (setLength < 4 || position + setLength > sets.Length)
            {
                Reject(input, setOffset, $"set {setId} of length {setLength} does not fit its message");
                break;
            }
            var body = sets.Slice(position + 4, setLength - 4);
            var key = new TemplateKey(exporter, message.Version, message.Domain, 0);
            if (message.Version == IpfixMessage.IpfixVersion ? setId == 2 : setId == 0) ReadTemplates(body, key, options: false, message.Version, input, setOffset);
            else if (message.Version == IpfixMessage.IpfixVersion ? setId == 3 : setId == 1) ReadTemplates(body, key, options: true, message.Version, input, setOffset);
            else if (setId >= 256) ReadData(body, key with { Id = setId }, message, input, setOffset);
            else Reject(input, setOffset, $"set id {setId} is reserved");
            position += setLength;
        }
        return message.Length;
    }

    private void ReadTemplates(ReadOnlySpan<byte> body, TemplateKey key, bool options, ushort version, string input, long offset)
    {
        int position = 0;
        // Padding after the last template is shorter than a template header.
        while (position + 4 <= body.Length)
        {
            int start = position;
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
            int count = BinaryPrimitives.ReadUInt16BigEndian(body[(position + 2)..]);
            position += 4;
            if (id == 0 && count == 0) break;
            if (!options)
            {
                if (count == 0) { _templates.Withdraw(key with { Id = id }); continue; } // withdrawal (RFC 7011 §8.1)
                if (!ReadFields(body, ref position, count, version == IpfixMessage.IpfixVersion, out var fields))
                {
                    Reject(input, offset + 4 + position, $"template {id} does not fit its set");
                    return;
                }
                Keep(key with { Id = id }, new IpfixTemplate(fields, options: false), input, offset + 4 + start);
                continue;
            }
            if (version == IpfixMessage.IpfixVersion)
            {
                // IPFIX: field count, scope field count, then the specifiers of both.
                if (position + 2 > body.Length) break;
                position += 2;
                if (!ReadFields(body, ref position, count, enterpriseBit: true, out var fields))
                {
                    Reject(input, offset + 4 + position, $"options template {id} does not fit its set");
                    return;
                }
                Keep(key with { Id = id }, new IpfixTemplate(fields, options: true), input, offset + 4 + start);
            }
            else
            {
                // v9: scope length and option length in bytes, 4 bytes per specifier.
                if (position + 2 > body.Length) break;
                int scopeBytes = count;
                int optionBytes = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
                position += 2;
                if (!ReadFields(body, ref position, (scopeBytes + optionBytes) / 4, enterpriseBit: false, out var fields))
                {
                    Reject(input, offset + 4 + position, $"options template {id} does not fit its set");
                    return;
                }
                Keep(key with { Id = id }, new IpfixTemplate(fields, options: true), input, offset + 4 + start);
                // v9 options templates are padded to 4 bytes each.
                position = (position + 3) & ~3;
            }
        }
    }

    // A template whose records would take no bytes is refused: its data set would be an endless run of empty records.
    // The template it would have replaced goes too, since the exporter no longer means it.
    private void Keep(TemplateKey key, IpfixTemplate template, string input, long offset)
    {
        if (template.MinRecordLength > 0)
        {
            _statistics.CountTemplatesDropped(_templates.Set(key, template, _receivedMs));
            return;
        }
        _templates.Withdraw(key);
        Reject(input, offset, $"template {key.Id} describes records of 0 bytes ({template.Fields.Length} fields): refused");
    }

    private static bool ReadFields(ReadOnlySpan<byte> body, ref int position, int count, bool enterpriseBit, out IpfixField[] fields)
    {
        fields = new IpfixField[count];
        for (int i = 0; i < count; i++)
        {
            if (position + 4 > body.Length) return false;
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
            ushort length = BinaryPrimitives.ReadUInt16BigEndian(body[(position + 2)..]);
            position += 4;
            uint enterprise = 0;
            if (enterpriseBit && (id & 0x8000) != 0)
            {
                if (position + 4 > body.Length) return false;
                enterprise = BinaryPrimitives.ReadUInt32BigEndian(body[position..]);
                id &= 0x7FFF;
                position += 4;
            }
            fields[i] = new IpfixField(id, enterprise, length);
        }
        return true;
    }

    private void ReadData(ReadOnlySpan<byte> body, TemplateKey key, in IpfixMessage message, string input, long offset)
    {
        if (!_templates.TryGet(key, out var template))
        {
            Reject(input, offset, $"data set {key.Id}: template {key.Id} of domain {key.Domain} not received (yet), or expired");
            return;
        }
        ReadRecords(body, template, key, message, input, offset + 4);
    }

    // The records of one data set (v5: of the packet) laid out by template; offset is where body begins.
    private void ReadRecords(ReadOnlySpan<byte> body, IpfixTemplate template, TemplateKey key, in IpfixMessage message, string input, long offset)
    {
        int position = 0;
        long systemInitMs = _templates.SystemInitMs(key.DomainKey);
        while (body.Length - position >= Math.Max(1, template.MinRecordLength))
        {
            var values = new IpfixValues();
            int start = position;
            if (!ReadRecord(body, ref position, template, ref values))
            {
                Reject(input, offset + position, $"data record of template {key.Id} does not fit its set");
                return;
            }
            // Every record advances (a template of 0-byte records is refused when it comes); the rest of a set that
            // would not is rejected, never looped on.
            if (position == start)
            {
                Reject(input, offset + position, $"data record of template {key.Id} takes 0 bytes");
                return;
            }
            if (template.Options)
            {
                // Options data describes the exporter; the one value flows need is when its uptime clock started.
                if (values.SystemInitMs > 0) _templates.SetSystemInitMs(key.DomainKey, systemInitMs = values.SystemInitMs);
                continue;
            }
            _statistics.CountRead();
            if (values.Saturated) _statistics.CountSaturated();
            values.Emit(_pairer, _statistics, message, systemInitMs);
        }
    }

    private static bool ReadRecord(ReadOnlySpan<byte> body, ref int position, IpfixTemplate template, ref IpfixValues values)
    {
        foreach (var field in template.Fields)
        {
            int length = field.Length;
            if (length == IpfixTemplate.VariableLength)
            {
                if (position >= body.Length) return false;
                length = body[position++];
                if (length == 255)
                {
                    if (position + 2 > body.Length) return false;
                    length = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
                    position += 2;
                }
            }
            if (position + length > body.Length) return false;
            values.Set(field, body.Slice(position, length));
            position += length;
        }
        return true;
    }

    // A datagram's problem names its exporter and the byte within it: the offset summed over every datagram received
    // named no place a reader could find, and a collector hears many exporters.
    private void Reject(string input, long offset, string reason) =>
        _statistics.Reject(new RecordProblem(input,
            _datagram && _exporter != default ? $"datagram from {_exporter}, byte {offset - _messageStart}" : $"byte {offset}", reason));
}

/// <summary>The values of one data record that a flow is built from.</summary>
internal struct IpfixValues
{
    private IpAddr _source, _destination;
    private bool _hasSource, _hasDestination, _hasReverse, _hasNsel, _hasEvent, _hasDirection;
    private byte _protocol, _flags, _reverseFlags, _event, _icmpType, _icmpCode, _direction;
    private ushort _sourcePort, _destinationPort;
    private long _octets, _packets, _reverseOctets, _reversePackets;
    private long _startNs, _endNs, _startUptimeMs, _endUptimeMs, _systemInitMs, _observationMs;
    private bool _hasStartUptime, _hasEndUptime, _hasIcmp, _hasReverseIcmp, _saturated;
    private byte _reverseIcmpType, _reverseIcmpCode;
    private string? _application;

    public void Set(in IpfixField field, ReadOnlySpan<byte> value)
    {
        bool reverse = field.Enterprise == IpfixElements.ReverseEnterprise;
        if (field.Enterprise != 0 && !reverse) return;
        switch (field.Id)
        {
            case IpfixElements.OctetDeltaCount or IpfixElements.OctetTotalCount:
                // Delta and total both present are summed: near 2^63 the sum stops at long.MaxValue, flagged.
                if (reverse) { _reverseOctets = Saturating.Add(_reverseOctets, Unsigned(value), ref _saturated); _hasReverse = true; }
                else _octets = Saturating.Add(_octets, Unsigned(value), ref _saturated);
                break;
            case IpfixElements.PacketDeltaCount or IpfixElements.PacketTotalCount:
                if (reverse) { _reversePackets = Saturating.Add(_reversePackets, Unsigned(value), ref _saturated); _hasReverse = true; }
                else _packets = Saturating.Add(_packets, Unsigned(value), ref _saturated);
                break;
            case IpfixElements.TcpControlBits:
                if (reverse) _reverseFlags |= (byte)Unsigned(value); else _flags |= (byte)Unsigned(value);
                break;
            case IpfixElements.InitiatorOctets: _octets = Unsigned(value); _hasNsel = true; break;
            case IpfixElements.ResponderOctets: _reverseOctets = Unsigned(value); _hasNsel = true; break;
            case IpfixElements.InitiatorPackets: _packets = Unsigned(value); _hasNsel = true; break;
            case IpfixElements.ResponderPackets: _reversePackets = Unsigned(value); _hasNsel = true; break;
            case IpfixElements.FirewallEvent when !reverse: _event = (byte)Unsigned(value); _hasEvent = true; break;
            case IpfixElements.BiflowDirection when !reverse: _direction = (byte)Unsigned(value); _hasDirection = true; break;
            case IpfixElements.ProtocolIdentifier when !reverse: _protocol = (byte)Unsigned(value); break;
            case IpfixElements.SourceTransportPort when !reverse: _sourcePort = (ushort)Unsigned(value); break;
            case IpfixElements.DestinationTransportPort when !reverse: _destinationPort = (ushort)Unsigned(value); break;
            case IpfixElements.SourceIPv4Address or IpfixElements.SourceIPv6Address when !reverse: _hasSource = TryAddress(value, out _source); break;
            case IpfixElements.DestinationIPv4Address or IpfixElements.DestinationIPv6Address when !reverse: _hasDestination = TryAddress(value, out _destination); break;
            case IpfixElements.IcmpTypeCodeIPv4 or IpfixElements.IcmpTypeCodeIPv6 when reverse:
                long reverseTypeCode = Unsigned(value);
                _reverseIcmpType = (byte)(reverseTypeCode >> 8);
                _reverseIcmpCode = (byte)reverseTypeCode;
                _hasReverseIcmp = true;
                break;
            case IpfixElements.IcmpTypeCodeIPv4 or IpfixElements.IcmpTypeCodeIPv6:
                long typeCode = Unsigned(value);
                _icmpType = (byte)(typeCode >> 8);
                _icmpCode = (byte)typeCode;
                _hasIcmp = true;
                break;
            case IpfixElements.IcmpTypeIPv4 or IpfixElements.IcmpTypeIPv6 when reverse: _reverseIcmpType = (byte)Unsigned(value); _hasReverseIcmp = true; break;
            case IpfixElements.IcmpCodeIPv4 or IpfixElements.IcmpCodeIPv6 when reverse: _reverseIcmpCode = (byte)Unsigned(value); _hasReverseIcmp = true; break;
            case IpfixElements.IcmpTypeIPv4 or IpfixElements.IcmpTypeIPv6: _icmpType = (byte)Unsigned(value); _hasIcmp = true; break;
            case IpfixElements.IcmpCodeIPv4 or IpfixElements.IcmpCodeIPv6: _icmpCode = (byte)Unsigned(value); _hasIcmp = true; break;
            case IpfixElements.FlowStartSysUpTime when !reverse: _startUptimeMs = (long)Unsigned(value); _hasStartUptime = true; break;
            case IpfixElements.FlowEndSysUpTime when !reverse: _endUptimeMs = (long)Unsigned(value); _hasEndUptime = true; break;
            case IpfixElements.SystemInitTimeMilliseconds: _systemInitMs = (long)Unsigned(value); break;
            case IpfixElements.FlowStartSeconds when !reverse: _startNs = SecondsToNs(Unsigned(value)); break;
            case IpfixElements.FlowEndSeconds when !reverse: _endNs = SecondsToNs(Unsigned(value)); break;
            case IpfixElements.FlowStartMilliseconds when !reverse: _startNs = MsToNs(Unsigned(value)); break;
            case IpfixElements.FlowEndMilliseconds when !reverse: _endNs = MsToNs(Unsigned(value)); break;
            case IpfixElements.FlowStartMicroseconds or IpfixElements.FlowStartNanoseconds when !reverse: _startNs = NtpTime(value); break;
            case IpfixElements.FlowEndMicroseconds or IpfixElements.FlowEndNanoseconds when !reverse: _endNs = NtpTime(value); break;
            case IpfixElements.ObservationTimeMilliseconds: _observationMs = (long)Unsigned(value); break;
            case IpfixElements.ApplicationName or IpfixElements.PaloAltoAppId when !reverse: _application = Text(value); break;
        }
    }

    /// <summary>True when a counter's sum (delta and total elements together) stopped at long.MaxValue.</summary>
    public readonly bool Saturated => _saturated;

    /// <summary>systemInitTimeMilliseconds, when the record carried it (options data does).</summary>
    public readonly long SystemInitMs => _systemInitMs;

    /// <summary>
    /// Builds the flow and hands it to <paramref name="pairer"/>: whole when both directions are in the record. An end
    /// before the start is counted in <paramref name="statistics"/>.
    /// </summary>
    public readonly void Emit(IpfixFlowPairer pairer, RecordStatistics statistics, in IpfixMessage message, long exporterSystemInitMs)
    {
        if (!_hasSource || !_hasDestination) return;
        // Cisco NSEL create and update events precede the delete that carries the connection's initiator and responder
        // totals: only that one is a flow. (Palo Alto marks its interval records as updates too, with plain counters.)
        if (_hasNsel && _event is IpfixElements.EventCreated or IpfixElements.EventUpdated) return;
        var record = new FlowRecord();
        bool icmp = _protocol is IpProtocol.Icmp or IpProtocol.IcmpV6;
        // A biflow whose source sent nothing holds one direction, the destination's: softflowd's (-b) puts the lower
        // address first, so a host's ICMP errors to a lower address came as a flow from that address with no packets,
        // its type and code the reverse ones.
        bool reverseAlone = _hasReverse && Sent(_packets, _octets) == 0 && Sent(_reversePackets, _reverseOctets) > 0;
        record.Protocol = _protocol;
        record.Client = _source;
        record.ClientPort = icmp ? (ushort)0 : _sourcePort;
        record.Server = _destination;
        record.ServerPort = icmp ? (ushort)0 : _destinationPort;
        // Without ICMP elements (NetFlow v5, softflowd's v9), exporters put type and code in the destination port.
        ushort typeCode = reverseAlone && _hasReverseIcmp ? (ushort)(_reverseIcmpType << 8 | _reverseIcmpCode)
            : _hasIcmp ? (ushort)(_icmpType << 8 | _icmpCode) : _destinationPort;
        record.IcmpType = icmp ? (byte)(typeCode >> 8) : (byte)0;
        record.IcmpCode = icmp ? (byte)typeCode : (byte)0;
        record.PacketsToServer = _packets;
        record.BytesToServer = _octets;
        record.PacketsToClient = _reversePackets;
        record.BytesToClient = _reverseOctets;
        (record.StartNs, record.EndNs) = Times(message, _systemInitMs > 0 ? _systemInitMs : exporterSystemInitMs, statistics);
        record.App = IpfixApplications.Label(_application);
        record.Evidence = record.App is null ? FlowEvidence.PortOnly : FlowEvidence.ExporterAppId;
        if (_hasEvent && _event == IpfixElements.EventDenied)
        {
            record.State = FlowState.Blocked;
            pairer.AddWhole(ref record);
        }
        else if (_hasReverse || _hasNsel)
        {
            byte clientFlags = _flags, serverFlags = _reverseFlags;
            bool fromPorts = false;
            bool sourceOpened = !reverseAlone && SourceOpened(pairer, icmp, out fromPorts);
            if (!sourceOpened)
            {
                record.Swap();
                (clientFlags, serverFlags) = (serverFlags, clientFlags);
            }
            record.SidesFromPorts = fromPorts;
            record.FirstSentByServer = fromPorts && !sourceOpened;
            // Cisco NSEL counts bytes only: a direction with bytes had packets.
            record.State = IpfixFlowPairer.StateOf(_protocol, Sent(record.PacketsToServer, record.BytesToServer), clientFlags,
                Sent(record.PacketsToClient, record.BytesToClient), serverFlags);
            pairer.AddWhole(ref record);
        }
        else pairer.AddOneWay(ref record, _flags);
    }

    /// <summary>
    /// Whether a record of both directions has its initiator as source. NSEL's initiator and responder counters say so.
    /// An RFC 5103 biflow says so by its biflowDirection (§6.3): 1, initiator, names the source; 2, reverseInitiator,
    /// names the destination; 0, arbitrary, and 3, perimeter (the source is the end outside), name neither, and a SYN
    /// without ACK or the ports decide as for two one-way records that began at once (<paramref name="fromPorts"/> when
    /// the ports did). Without the element the assignment "is configured out-of-band" (RFC 5103 §6.3): the record does
    /// not say it, and softflowd's biflows (`-b`), which carry none, put the lower address first, a web server's reply
    /// direction as often as its client's. There the same evidence decides, and the source stays the client when it
    /// says nothing against it.
    /// </summary>
    private readonly bool SourceOpened(IpfixFlowPairer pairer, bool icmp, out bool fromPorts)
    {
        fromPorts = false;
        if (_hasNsel) return true;
        return (_hasDirection ? _direction : IpfixElements.DirectionArbitrary) switch
        {
            IpfixElements.DirectionReverseInitiator => false,
            IpfixElements.DirectionArbitrary or IpfixElements.DirectionPerimeter when !icmp =>
                pairer.FirstOpened(_protocol, _sourcePort, _destinationPort, _flags, _reverseFlags, out fromPorts),
            _ => true,
        };
    }

    // sysUptime is a 32-bit millisecond counter that wraps every 49.7 days (RFC 3954 §5.1; softflowd's v5 even writes a
    // first switched of 0xFFFFFFFF, just before its zero). How long before the export a flow's edge was is read as
    // nfdump reads v5 and v9: the export's uptime minus the edge's, modulo 2^32 and unsigned, so an edge weeks back
    // stays back (a difference past 2^31 ms, 24.8 days, read as signed put it weeks after its own export), and an edge
    // whose uptime is above the export's was before a wrap. Only an edge at most UptimeJitterMs above the export's
    // uptime is after the export, by that much: exporters' clock jitter, where nfdump allows the same 100 s (Cisco IOS
    // bug CSCei12353).
    private const long UptimeWrapMs = 1L << 32;
    private const long UptimeJitterMs = 100_000;

    private static long UptimeAgoMs(uint uptimeAtExportMs, long uptimeAtEdgeMs)
    {
        long ago = unchecked(uptimeAtExportMs - (uint)uptimeAtEdgeMs);
        return UptimeWrapMs - ago <= UptimeJitterMs ? ago - UptimeWrapMs : ago;
    }

    private static long Sent(long packets, long octets) => packets > 0 ? packets : octets > 0 ? 1 : 0;

    private readonly (long Start, long End) Times(in IpfixMessage message, long systemInitMs, RecordStatistics statistics)
    {
        long exportNs = message.ExportNs;
        long start = _startNs, end = _endNs;
        if (start == 0 && _hasStartUptime)
            start = message.UptimeClock
                ? exportNs - UptimeAgoMs(message.SystemUptimeMs, _startUptimeMs) * 1_000_000
                : systemInitMs > 0 ? MsToNs(Saturating.Add(systemInitMs, _startUptimeMs)) : exportNs;
        if (end == 0 && _hasEndUptime)
            end = message.UptimeClock
                ? exportNs - UptimeAgoMs(message.SystemUptimeMs, _endUptimeMs) * 1_000_000
                : systemInitMs > 0 ? MsToNs(Saturating.Add(systemInitMs, _endUptimeMs)) : exportNs;
        if (start == 0) start = _observationMs > 0 ? MsToNs(_observationMs) : exportNs;
        // An uptime further back than the export time (an exporter whose clock reads 0): not before the epoch, which
        // printed as 1970 beside a duration of the real length and filed the flow under a day of 1956 in a lake.
        if (start < 0) start = 0;
        return (start, statistics.EndNotBefore(start, end));
    }

    // dateTimeMilliseconds are 64 bits: a hostile record's past 2262-04-11 is held at the last nanosecond a flow's time
    // holds, where the product wrapped to a plausible-looking time centuries earlier.
    private static long MsToNs(long ms) => ms > long.MaxValue / 1_000_000 ? long.MaxValue : ms * 1_000_000;

    // dateTimeSeconds may come in 8 bytes: past 2262 the product wrapped as the milliseconds' did.
    private static long SecondsToNs(long seconds) => seconds > long.MaxValue / 1_000_000_000 ? long.MaxValue : seconds * 1_000_000_000;

    private static long Unsigned(ReadOnlySpan<byte> value)
    {
        // Reduced-size encoding (RFC 7011 §6.2): a counter may come in fewer bytes than its type.
        ulong result = 0;
        foreach (byte b in value.Length > 8 ? value[^8..] : value) result = result << 8 | b;
        return (long)Math.Min(result, long.MaxValue);
    }

    private static bool TryAddress(ReadOnlySpan<byte> value, out IpAddr address)
    {
        address = value.Length switch { 4 => IpAddr.FromV4(value), 16 => IpAddr.FromV6(value), _ => default };
        return value.Length is 4 or 16;
    }

    // dateTimeMicroseconds and dateTimeNanoseconds are NTP timestamps: seconds since 1900, then a 32-bit fraction. One
    // before 1970 is no time a flow has: none (0), as when the element is absent, so the export time stands in.
    private static long NtpTime(ReadOnlySpan<byte> value)
    {
        if (value.Length != 8) return 0;
        long seconds = BinaryPrimitives.ReadUInt32BigEndian(value) - 2_208_988_800L;
        if (seconds < 0) return 0;
        long fraction = BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
        return seconds * 1_000_000_000 + (fraction * 1_000_000_000 >> 32);
    }

    private static string? Text(ReadOnlySpan<byte> value)
    {
        int end = value.IndexOf((byte)0);
        var text = (end < 0 ? value : value[..end]).Trim((byte)' ');
        // A name is printable ASCII; binary in the field (some exporters fill it with an id) names nothing.
        return text.IsEmpty || text.ContainsAnyExceptInRange((byte)' ', (byte)'~') ? null : Encoding.ASCII.GetString(text);
    }
}
