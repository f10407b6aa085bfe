using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// NetBIOS name service (RFC 1002 4.2) over UDP: a DNS-like header whose first name is an encoded NetBIOS name
/// of type NB or NBSTAT, class IN. The detail names the operation, then <c>response</c> when the R bit is set and
/// <c>broadcast</c> when the B flag is (<c>query; broadcast</c>, <c>query; response</c>), so that later stages can tell
/// a packet that expects an answer from one that does not.
/// </summary>
public sealed class NetBiosNameInspector() : Inspector(new(AppLabel.NetBiosNs, Udp, [137], InspectorPrecision.Signature, 100))
{
    private const int Header = 12;
    private const byte ResponseBit = 0x80; // first flags byte: R, then the opcode
    private const byte BroadcastBit = 0x10; // second flags byte: RA, two zero bits, B, then the return code

    /// <summary>The detail word of a response (the R bit).</summary>
    public const string Response = "response";

    /// <summary>The detail word of a packet sent to a broadcast address (the B flag).</summary>
    public const string Broadcast = "broadcast";

    // Every detail this inspector produces, by opcode name, then R bit and B flag: built once, shared by all flows.
    private static readonly AppDetail[][] Details =
        new[] { "query", "registration", "release", "wack", "refresh", "multihomed-registration" }.Select(DetailsOf).ToArray();

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < Header + NetBiosName.EncodedSize + 5) return InspectResult.NoMatch;
        int opcode = (data[2] >> 3) & 0x0F;
        // 15: the multi-homed registration a host with several addresses sends its WINS server (Samba's nmbd, Windows;
        // Wireshark's OPCODE_MHREGISTRATION). Refused, it left the flow unlabelled.
        if (opcode is not (0 or 5 or 6 or 7 or 8 or 9 or 15)) return InspectResult.NoMatch;
        int records = BinaryPrimitives.ReadUInt16BigEndian(data[4..]) + BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (records is 0 or > 2 || !NetBiosName.IsAt(data, Header)) return InspectResult.NoMatch;
        int at = NetBiosName.SkipScope(data, Header);
        if (at < 0 || at + 4 > data.Length) return InspectResult.NoMatch;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        ushort klass = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
        if (type is not (0x20 or 0x21) || klass != 1) return InspectResult.NoMatch;
        int name = opcode switch { 0 => 0, 5 => 1, 6 => 2, 7 => 3, 15 => 5, _ => 4 };
        int flags = ((data[2] & ResponseBit) != 0 ? 1 : 0) | ((data[3] & BroadcastBit) != 0 ? 2 : 0);
        input.Flow.AppDetail = Details[name][flags];
        return InspectResult.Match;
    }

    /// <summary>
    /// True when the detail this inspector gave a flow says its first packet expects no answer from the address it
    /// went to: a response (it answers a query that reached its sender some other way, a broadcast say; nothing
    /// answers a response) or a broadcast (the subnet answers, if anyone, from its own addresses).
    /// </summary>
    public static bool ExpectsNoAnswer(AppDetail? detail) =>
        detail is not null && (detail.HasWord(Response) || detail.HasWord(Broadcast));

    /// <summary>
    /// True when the detail this inspector gave a flow says its first packet registered, refreshed or released a name
    /// with the one address it went to: neither broadcast nor a response. Hosts send those only to their name server
    /// (RFC 1002 5.1.2: an M- or P-node registers with the NBNS, a B-node broadcasts), so the address is a WINS server.
    /// </summary>
    public static bool RegistersWithNameServer(AppDetail? detail)
    {
        if (detail is null || ExpectsNoAnswer(detail)) return false;
        // Operations a host addresses to its name server alone; a query is not one: any host answers a node status query.
        foreach (string operation in NameServerOperations)
            if (detail.HasWord(operation)) return true;
        return false;
    }

    private static readonly string[] NameServerOperations = ["registration", "refresh", "release", "multihomed-registration"];

    private static AppDetail[] DetailsOf(string operation) =>
    [
        AppDetail.Word(operation),
        AppDetail.Of(new DetailPart(null, operation), new DetailPart(null, Response)),
        AppDetail.Of(new DetailPart(null, operation), new DetailPart(null, Broadcast)),
        AppDetail.Of(new DetailPart(null, operation), new DetailPart(null, Response), new DetailPart(null, Broadcast)),
    ];
}
