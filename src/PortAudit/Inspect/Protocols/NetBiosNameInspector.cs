using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// NetBIOS name service (RFC 1002 4.2) over UDP: a DNS-like header whose first name is an encoded NetBIOS name
/// of type NB or NBSTAT, class IN.
/// </summary>
public sealed class NetBiosNameInspector() : Inspector(new(AppLabel.NetBiosNs, Udp, [137], InspectorPrecision.Signature, 100))
{
    private const int Header = 12;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < Header + NetBiosName.EncodedSize + 5) return InspectResult.NoMatch;
        int opcode = (data[2] >> 3) & 0x0F;
        if (opcode is not (0 or 5 or 6 or 7 or 8 or 9)) return InspectResult.NoMatch;
        int records = BinaryPrimitives.ReadUInt16BigEndian(data[4..]) + BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (records is 0 or > 2 || !NetBiosName.IsAt(data, Header)) return InspectResult.NoMatch;
        int at = NetBiosName.SkipScope(data, Header);
        if (at < 0 || at + 4 > data.Length) return InspectResult.NoMatch;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        ushort klass = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
        if (type is not (0x20 or 0x21) || klass != 1) return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word(opcode switch { 0 => "query", 5 => "registration", 6 => "release", 7 => "wack", _ => "refresh" });
        return InspectResult.Match;
    }
}
