using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// STUN and TURN over UDP and TCP: RFC 5389, classic RFC 3489 and MS-TURN messages, TURN ChannelData (two in a row
/// on one channel), and STUN over TCP with or without RFC 4571 framing. appDetail is the method, or "ms-turn"
/// once the Microsoft dialect is seen (the flow stays claimed so that later messages can show it); a Microsoft ICE
/// connectivity check ([MS-ICE2] attributes, no MS-TURN one) is its method and "ms-ice2" ("binding; ms-ice2").
/// Over UDP a flow claimed by Binding messages alone may be a SIP flow's: RFC 5626 4.4.2 has a SIP user agent keep its
/// NAT binding open with STUN Binding requests on the flow it sends SIP on. A SIP message that follows, within the
/// datagrams inspected, names the flow SIP, as nDPI names it (tshark reads each datagram as what it is). On a WebRTC
/// flow the DTLS handshake follows the checks on the same 5-tuple (RFC 7983): its records are read beside the claim
/// (<see cref="DtlsInspector.ReadBeside"/>) for the version, cipher suite and certificate its server chose.
/// </summary>
public sealed class StunInspector() : Inspector(new(AppLabel.Stun, AnyTransport, [3478, 3479, 3480, 3481, 5349, 19302, 443], InspectorPrecision.Loose, 20)
{
    UsesScratch = true,
    LooksAtEnd = true,
    Depth = ProbeDepth.Exchange,
    Produces = [AppLabel.Stun, AppLabel.Sip],
})
{
    private const ulong Claimed = 1UL << 63;
    // Set with Claimed while every message read was a Binding over UDP: what RFC 5626's keep-alives are.
    private const ulong BindingsOnly = 1UL << 62;
    // Set with Claimed once a DTLS record came: the bits below 55 are then the DTLS reading's.
    private const ulong DtlsBeside = 1UL << 61;
    private const ushort BindingMethod = 1;
    private static readonly SipInspector Sip = new();
    private const int ChannelHeader = 4;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp && input.Index > 0 && (input.Scratch & Claimed) != 0) return InspectResult.Match;
        var dialect = StunMessage.Read(data, out int size, out ushort method);
        if (dialect == StunMessage.Dialect.None && input.IsTcp && data.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(data) >= StunMessage.HeaderSize)
        {
            dialect = StunMessage.Read(data[2..], out size, out method);
            if (dialect != StunMessage.Dialect.None && size != BinaryPrimitives.ReadUInt16BigEndian(data)) dialect = StunMessage.Dialect.None;
        }
        if (dialect == StunMessage.Dialect.None)
        {
            if (IsChannelData(data, input.IsTcp, out ushort channel)) return OnChannelData(ref input, channel);
            if ((input.Scratch & BindingsOnly) != 0 && Sip.Inspect(ref input) == InspectResult.Match)
            {
                input.Flow.App = AppLabel.Sip;
                return InspectResult.Match;
            }
            // The DTLS read beside is told the flow ended (no bytes), as a record would tell it.
            if ((input.Scratch & Claimed) != 0)
                return !input.IsTcp && (DtlsInspector.IsRecord(data) || data.IsEmpty && (input.Scratch & DtlsBeside) != 0) ? OnDtls(ref input) : InspectResult.Partial;
            return input.IsTcp && data.Length < StunMessage.HeaderSize && !input.AtLimit && data.Length > 0 && (data[0] & 0xC0) == 0
                ? InspectResult.NeedMore : InspectResult.NoMatch;
        }
        if (!input.IsTcp && size != data.Length) return InspectResult.NoMatch;
        // Without the magic cookie a message is only a 16-bit type and a length: over TCP it must fill the segment and carry attributes.
        if (dialect == StunMessage.Dialect.Rfc3489 && input.IsTcp && (size != data.Length || size == StunMessage.HeaderSize)) return InspectResult.NoMatch;
        bool keepAlive = !input.IsTcp && method == BindingMethod && ((input.Scratch & Claimed) == 0 || (input.Scratch & BindingsOnly) != 0);
        if (dialect == StunMessage.Dialect.MsTurn)
        {
            input.Flow.AppDetail = AppDetail.Word("ms-turn");
            return InspectResult.Match;
        }
        input.Flow.AppDetail ??= dialect switch
        {
            StunMessage.Dialect.Rfc3489 => AppDetail.Of(new(null, StunMessage.MethodName(method)), new(null, "rfc3489")),
            StunMessage.Dialect.MsIce2 => AppDetail.Of(new(null, StunMessage.MethodName(method)), new(null, "ms-ice2")),
            _ => AppDetail.Of(StunMessage.MethodName(method)),
        };
        input.Scratch = (input.Scratch & ~BindingsOnly) | Claimed | (keepAlive ? BindingsOnly : 0);
        return InspectResult.Partial;
    }

    // A DTLS record on the claimed flow (RFC 7983 7: first byte 20 to 63): read beside the claim, which ends with it.
    private static InspectResult OnDtls(ref InspectionInput input)
    {
        // A channel number kept from before the claim is of no more use.
        if ((input.Scratch & DtlsBeside) == 0) input.Scratch = (input.Scratch & (Claimed | BindingsOnly)) | DtlsBeside;
        return DtlsInspector.ReadBeside(ref input) == InspectResult.Match ? InspectResult.Match : InspectResult.Partial;
    }

    private static InspectResult OnChannelData(ref InspectionInput input, ushort channel)
    {
        if ((input.Scratch & Claimed) != 0) return InspectResult.Partial;
        // One message that happens to look like ChannelData proves little; two on the same channel do. Over TCP each
        // call shows the direction's stream from its start, so the second is the message after the first's padding
        // (not the first shown again): base.pcap's Battle.net login on TCP 1119 opens with 4a00 000a, a ChannelData
        // header by its bytes, and nothing like one follows it (tshark and nDPI read no STUN there).
        if (input.IsTcp) return SecondOnStream(ref input, channel);
        if ((input.Scratch & 0xFFFF) == channel) return ClaimChannelData(ref input);
        input.Scratch = channel;
        return InspectResult.NeedMore;
    }

    private static InspectResult SecondOnStream(ref InspectionInput input, ushort channel)
    {
        var data = input.Data;
        int next = ChannelHeader + ((BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + 3) & ~3);
        if (data.Length < next + ChannelHeader) return input.Undecided;
        // The next header is enough: its relayed bytes may still be coming.
        var second = data[next..];
        return BinaryPrimitives.ReadUInt16BigEndian(second) == channel && BinaryPrimitives.ReadUInt16BigEndian(second[2..]) != 0
            ? ClaimChannelData(ref input) : InspectResult.NoMatch;
    }

    private static InspectResult ClaimChannelData(ref InspectionInput input)
    {
        input.Flow.AppDetail ??= AppDetail.Word("channel-data");
        input.Scratch |= Claimed;
        return InspectResult.Partial;
    }

    // RFC 5766 11.4: channel numbers 0x4000-0x7FFF, then a length; over TCP padded to four bytes. An empty message
    // relays nothing, and it is what Modbus/TCP's header (transaction id, protocol id 0) looks like when its
    // transaction id falls in the channel range, request and answer sharing it.
    private static bool IsChannelData(ReadOnlySpan<byte> data, bool tcp, out ushort channel)
    {
        channel = 0;
        if (data.Length < ChannelHeader) return false;
        channel = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (channel is < 0x4000 or > 0x7FFF) return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (length == 0) return false;
        int padded = ChannelHeader + ((length + 3) & ~3);
        return tcp ? padded <= data.Length : data.Length == ChannelHeader + length || data.Length == padded;
    }
}
