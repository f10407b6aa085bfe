using System.Buffers.Binary;
using System.Text.Unicode;
using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Sources.Records.Ipfix;

namespace PortAudit.Report.Ipfix;

/// <summary>
/// Encodes one flow as a data record of an <see cref="IpfixExportLayout"/> template, field by field in the template's
/// order (so the template is the one description of the record), from the flow's fields, without allocating.
/// </summary>
internal static class IpfixFlowEncoder
{
    /// <summary>
    /// Writes the record of <paramref name="flow"/> (and <paramref name="verdict"/>, when the template carries the audit's
    /// elements) to <paramref name="destination"/>; false, with nothing to keep, when it does not fit.
    /// </summary>
    public static bool TryWrite(IpfixTemplate template, Flow flow, FlowVerdict? verdict, Span<byte> destination, out int written)
    {
        written = 0;
        int position = 0;
        foreach (var field in template.Fields)
        {
            if (field.Length == IpfixTemplate.VariableLength)
            {
                if (!TryWriteText(TextOf(field, flow, verdict), destination[position..], ref position)) return false;
                continue;
            }
            if (destination.Length - position < field.Length) return false;
            WriteFixed(field, flow, destination.Slice(position, field.Length));
            position += field.Length;
        }
        written = position;
        return true;
    }

    /// <summary>The kind of finding a judged flow counts in, as <see cref="FindingBuilder.Record"/> counts it (a blocked requirement first).</summary>
    public static FindingKind? FindingKindOf(FlowVerdict verdict) =>
        verdict.BlockedRule is not null ? FindingKind.RequiredBlocked : FindingBuilder.KindOf(verdict.Verdict);

    private static void WriteFixed(in IpfixField field, Flow flow, Span<byte> slot)
    {
        bool reverse = field.Enterprise == IpfixElements.ReverseEnterprise;
        switch (field.Id)
        {
            case IpfixElements.FlowStartMilliseconds: BinaryPrimitives.WriteInt64BigEndian(slot, flow.StartNs / 1_000_000); break;
            case IpfixElements.FlowEndMilliseconds: BinaryPrimitives.WriteInt64BigEndian(slot, flow.EndNs / 1_000_000); break;
            case IpfixElements.SourceIPv4Address or IpfixElements.SourceIPv6Address: WriteAddress(flow.Client, slot); break;
            case IpfixElements.DestinationIPv4Address or IpfixElements.DestinationIPv6Address: WriteAddress(flow.Server, slot); break;
            case IpfixElements.SourceTransportPort: BinaryPrimitives.WriteUInt16BigEndian(slot, flow.ClientPort); break;
            case IpfixElements.DestinationTransportPort: BinaryPrimitives.WriteUInt16BigEndian(slot, flow.ServerPort); break;
            case IpfixElements.ProtocolIdentifier: slot[0] = flow.Protocol; break;
            case IpfixElements.IcmpTypeCodeIPv4 or IpfixElements.IcmpTypeCodeIPv6:
                bool icmp = flow.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6;
                BinaryPrimitives.WriteUInt16BigEndian(slot, icmp ? (ushort)(flow.IcmpType << 8 | flow.IcmpCode) : (ushort)0);
                break;
            case IpfixElements.BiflowDirection: slot[0] = IpfixElements.DirectionInitiator; break;
            case IpfixElements.OctetDeltaCount: BinaryPrimitives.WriteInt64BigEndian(slot, reverse ? flow.BytesToClient : flow.BytesToServer); break;
            case IpfixElements.PacketDeltaCount: BinaryPrimitives.WriteInt64BigEndian(slot, reverse ? flow.PacketsToClient : flow.PacketsToServer); break;
            default: ThrowUnknownField(field); break;
        }
    }

    private static void WriteAddress(IpAddr address, Span<byte> slot)
    {
        if (slot.Length == 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(slot, address.V4);
            return;
        }
        BinaryPrimitives.WriteUInt64BigEndian(slot, address.High);
        BinaryPrimitives.WriteUInt64BigEndian(slot[8..], address.Low);
    }

    private static string? TextOf(in IpfixField field, Flow flow, FlowVerdict? verdict)
    {
        if (field is { Enterprise: 0, Id: IpfixElements.ApplicationName }) return flow.App?.Name;
        if (field.Enterprise != PortAuditElements.Enterprise || verdict is null) ThrowUnknownField(field);
        return field.Id switch
        {
            PortAuditElements.Verdict => verdict!.Verdict.Name(),
            PortAuditElements.RuleId => (verdict!.Rule ?? verdict.BlockedRule)?.Id,
            PortAuditElements.FindingKind => FindingKindOf(verdict!)?.Name(),
            _ => ThrowUnknownField(field),
        };
    }

    // RFC 7011 §7: a one-byte length below 255; text is cut at a character boundary to MaxTextBytes, so that is all we need.
    private static bool TryWriteText(string? text, Span<byte> destination, ref int position)
    {
        if (destination.IsEmpty) return false;
        int written = 0;
        if (text is not null)
        {
            var room = destination[1..Math.Min(destination.Length, 1 + IpfixExportLayout.MaxTextBytes)];
            Utf8.FromUtf16(text, room, out int read, out written);
            // Cut short by the message rather than by MaxTextBytes: the record goes into the next message whole.
            if (read < text.Length && room.Length < IpfixExportLayout.MaxTextBytes) return false;
        }
        destination[0] = (byte)written;
        position += 1 + written;
        return true;
    }

    private static string ThrowUnknownField(in IpfixField field) =>
        throw new InvalidOperationException($"element {field.Id} of enterprise {field.Enterprise} is not one PortAudit exports");
}
