using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// CAPWAP (RFC 5415), between a wireless access point (the WTP) and its controller (the AC) on UDP 5246 (control) and
/// 5247 (data), on those ports only: a preamble of version 0, then either a CAPWAP header (type 0: HLEN at least 2 words
/// and within the datagram; on the control port a control message of IANA's enterprise 0, types 1 to 26, whose
/// elements fill the datagram) or a DTLS header (type 1: three reserved zero bytes, then a DTLS record). The DTLS that
/// protects the control channel (RFC 5415 2.4.4: DTLS 1.0 in the RFC) is read beside the claim as dtls's records are
/// (<see cref="DtlsInspector.ReadBeside"/>) for the version, cipher suite and leaf certificate its server, the AC,
/// chose. appDetail: <c>control</c> or <c>data</c>, then what the DTLS settled (<c>control; version=dtls1.0; cert=sha1</c>).
/// A WTP's discovery, join and primary discovery requests and its DTLS ClientHello are the client's, their answers the
/// server's, and otherwise a datagram to the AC's port (the WTP sends from one of its own): a capture whose first
/// datagram is the AC's is turned.
/// </summary>
public sealed class CapwapInspector() : Inspector(new(AppLabel.Capwap, Udp, [ControlPort, DataPort], InspectorPrecision.Signature, 265)
{
    UsesScratch = true,
    LooksAtEnd = true,
    Depth = ProbeDepth.Exchange,
    FirstBytes = Leading(PlainHeader, DtlsHeader),
})
{
    private const ushort ControlPort = 5246, DataPort = 5247;
    private const byte PlainHeader = 0, DtlsHeader = 1;
    private const int DtlsHeaderLength = 4, MinimumHeaderWords = 2, ControlHeader = 8;
    private const byte DiscoveryRequest = 1, JoinRequest = 3, PrimaryDiscoveryRequest = 19, DiscoveryResponse = 2, JoinResponse = 4,
        PrimaryDiscoveryResponse = 20, LastMessageType = 26;
    private const byte ClientHello = 1, ServerHello = 2, HelloVerifyRequest = 3, Handshake = 22;
    // The handshake type after a DTLS record's 13-byte header.
    private const int DtlsHandshakeType = 13;
    private static readonly AppDetail Control = AppDetail.Word("control"), Data = AppDetail.Word("data");

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        // The flow ended (no bytes, InspectorDescriptor.LooksAtEnd): the DTLS read beside the claim is told.
        if (data.IsEmpty && input.AtLimit && input.Scratch != 0) return DtlsInspector.ReadBeside(ref input);
        bool control = input.Flow.ServerPort == ControlPort || input.Flow.ClientPort == ControlPort;
        // Every datagram of it starts with the preamble: another first byte is no CAPWAP, claimed or not.
        if (input.IsTcp || !control && input.Flow.ServerPort != DataPort && input.Flow.ClientPort != DataPort || data.Length < DtlsHeaderLength
            || data[0] is not (PlainHeader or DtlsHeader))
            return InspectResult.NoMatch;
        bool read = data[0] == DtlsHeader ? IsDtls(data) : IsPlain(ref input, data, control);
        if (!read) return input.Scratch != 0 ? InspectResult.Partial : InspectResult.NoMatch;
        input.Flow.AppDetail ??= control ? Control : Data;
        input.Scratch |= 1;
        if (data[0] == DtlsHeader) input.SentByClient = HelloSender(data[DtlsHeaderLength..]);
        input.SentByClient ??= SentToController(input);
        if (data[0] != DtlsHeader) return InspectResult.Partial;
        // The DTLS record after the header, read beside the claim with the same scratch word's low bits (its own) and buffer.
        var dtls = input;
        dtls.Data = data[DtlsHeaderLength..];
        return DtlsInspector.ReadBeside(ref dtls) == InspectResult.Match ? InspectResult.Match : InspectResult.Partial;
    }

    // The access point's ClientHello, the controller's ServerHello or HelloVerifyRequest; null for another record.
    private static bool? HelloSender(ReadOnlySpan<byte> record) =>
        record.Length > DtlsHandshakeType && record[0] == Handshake
            ? record[DtlsHandshakeType] switch { ClientHello => true, ServerHello or HelloVerifyRequest => false, _ => null }
            : null;

    // Else the ports say it (RFC 5415 3.1: the controller listens on 5246 and 5247, an access point sends from a port of
    // its own): true when the datagram went to the controller's port, null when both ends or neither use one.
    private static bool? SentToController(in InspectionInput input)
    {
        var flow = input.Flow;
        ushort sender = input.FromClient ? flow.ClientPort : flow.ServerPort, receiver = input.FromClient ? flow.ServerPort : flow.ClientPort;
        bool toController = receiver is ControlPort or DataPort, fromController = sender is ControlPort or DataPort;
        return toController == fromController ? null : toController;
    }

    // RFC 5415 4.2: the preamble's three reserved bytes are zero.
    private static bool IsDtls(ReadOnlySpan<byte> data) =>
        data[1] == 0 && data[2] == 0 && data[3] == 0 && DtlsInspector.IsRecord(data[DtlsHeaderLength..]);

    // RFC 5415 4.3: HLEN (5 bits after the preamble) counts 4-byte words; a control message (4.5.1) follows the header on
    // the control port: message type (enterprise 0 in its first three bytes), sequence number, elements' length, flags.
    private static bool IsPlain(ref InspectionInput input, ReadOnlySpan<byte> data, bool control)
    {
        int header = (data[1] >> 3) * 4;
        if (header < MinimumHeaderWords * 4 || header > data.Length) return false;
        if (!control) return true;
        var message = data[header..];
        if (message.Length < ControlHeader || message[0] != 0 || message[1] != 0 || message[2] != 0) return false;
        byte type = message[3];
        if (type is 0 or > LastMessageType || ControlHeader - 3 + BinaryPrimitives.ReadUInt16BigEndian(message[5..]) != message.Length) return false;
        input.SentByClient = type switch
        {
            DiscoveryRequest or JoinRequest or PrimaryDiscoveryRequest => true,
            DiscoveryResponse or JoinResponse or PrimaryDiscoveryResponse => false,
            _ => null,
        };
        return true;
    }
}
