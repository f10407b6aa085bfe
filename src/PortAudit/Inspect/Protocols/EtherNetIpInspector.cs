using System.Buffers.Binary;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// EtherNet/IP's encapsulation on TCP and UDP 44818 (CIP Vol. 2, 2-3): a little-endian 24-byte header of a command, the
/// length of the data after it, a session handle, a status, the sender's context and options 0. The first message must
/// be whole and its data what its command carries: RegisterSession protocol version 1 and no options; UnRegisterSession
/// nothing; ListServices, ListIdentity and ListInterfaces nothing (a request, session 0) or an item list; SendRRData and
/// SendUnitData (explicit CIP messages, unconnected or connected) interface handle 0, a timeout and an item list of the
/// common packet format's address and data items. An item list's items must fill the data exactly. Over UDP the
/// datagram is the message. Either side's message claims the flow; of the CIP it carries only the service's reply bit
/// is read, to name the sender where the ports guessed the sides.
/// </summary>
public sealed class EtherNetIpInspector() : Inspector(new(AppLabel.EtherNetIp, AnyTransport, [44818], InspectorPrecision.Signature, 320)
{
    FirstBytes = Leading(ListServices, ListIdentity, ListInterfaces, RegisterSession, UnRegisterSession, SendRRData, SendUnitData),
})
{
    private const int Header = 24, MaxItems = 8;
    private const byte ListServices = 0x04, ListIdentity = 0x63, ListInterfaces = 0x64, RegisterSession = 0x65,
        UnRegisterSession = 0x66, SendRRData = 0x6F, SendUnitData = 0x70;
    private const ushort ConnectedData = 0x00B1, UnconnectedData = 0x00B2;
    private const byte ReplyBit = 0x80;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        // Every command's high byte is 0: a header's start that could be one waits for the rest.
        if (data.Length < Header)
            return input.IsTcp && !input.AtLimit && (data.IsEmpty || (CommandName(data[0]) is not null && (data.Length < 2 || data[1] == 0))) ? InspectResult.NeedMore : InspectResult.NoMatch;
        ushort command = BinaryPrimitives.ReadUInt16LittleEndian(data);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        uint status = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        if (CommandName(command) is not { } name || status is not (0 or 1 or 2 or 3 or 0x64 or 0x65 or 0x69)
            || BinaryPrimitives.ReadUInt32LittleEndian(data[20..]) != 0)
            return InspectResult.NoMatch;
        if (data.Length < Header + length) return input.IsTcp && !input.AtLimit ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!input.IsTcp && data.Length != Header + length) return InspectResult.NoMatch;
        var body = data.Slice(Header, length);
        bool session = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) != 0;
        bool? request = null;
        bool carries = command switch
        {
            RegisterSession => length == 4 && BinaryPrimitives.ReadUInt16LittleEndian(body) == 1 && BinaryPrimitives.ReadUInt16LittleEndian(body[2..]) == 0,
            UnRegisterSession => length == 0,
            ListServices or ListIdentity or ListInterfaces => length == 0 ? !session : ItemsFill(body, anyType: true, out _),
            // An error's answer may carry nothing.
            _ => length == 0 ? status != 0 : length >= 6 && BinaryPrimitives.ReadUInt32LittleEndian(body) == 0 && ItemsFill(body[6..], anyType: false, out request),
        };
        if (!carries) return InspectResult.NoMatch;
        // Where the ports guessed the sides (a session joined mid-way, the client's port 1024 or more), a CIP reply read
        // first is the adapter's answer and turns the flow, as tshark reads cip.rr. A list command's empty request or
        // item list says the same. RegisterSession's answer echoes the request: it says nothing.
        if (input.Flow.Sides == FlowSides.Ports)
            input.SentByClient = command is ListServices or ListIdentity or ListInterfaces ? length == 0 : request;
        input.Flow.AppDetail ??= AppDetail.Word(name);
        return InspectResult.Match;
    }

    // An item count and that many items (type, length, data) that fill the bytes exactly; unless anyType, each of the
    // common packet format's address and data items (null, connected address, sequenced address, connected data,
    // unconnected data, the socket address items). request: whether the first data item's CIP service is a request
    // (its reply bit, 0x80, clear; a connected data item's service follows its two-byte sequence count), null without one.
    private static bool ItemsFill(ReadOnlySpan<byte> items, bool anyType, out bool? request)
    {
        request = null;
        if (items.Length < 2) return false;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(items);
        // A ListInterfaces answer may list none.
        if (count > MaxItems || (count == 0 && !anyType)) return false;
        items = items[2..];
        for (int i = 0; i < count; i++)
        {
            if (items.Length < 4) return false;
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(items);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(items[2..]);
            if (!anyType && type is not (0x0000 or 0x00A1 or 0x8002 or ConnectedData or UnconnectedData or 0x8000 or 0x8001)) return false;
            if (items.Length < 4 + length) return false;
            int service = type switch { ConnectedData => 2, UnconnectedData => 0, _ => -1 };
            if (request is null && service >= 0 && length > service) request = (items[4 + service] & ReplyBit) == 0;
            items = items[(4 + length)..];
        }
        return items.IsEmpty;
    }

    private static string? CommandName(int command) => command switch
    {
        ListServices => "list-services",
        ListIdentity => "list-identity",
        ListInterfaces => "list-interfaces",
        RegisterSession => "register-session",
        UnRegisterSession => "unregister-session",
        SendRRData => "send-rr-data",
        SendUnitData => "send-unit-data",
        _ => null,
    };
}
