using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// IKEv1 (RFC 2408) and IKEv2 (RFC 7296) over UDP, and over NAT-T (RFC 3948: a four-zero-byte non-ESP marker first;
/// one-byte keep-alives are waited past). The header's version, exchange type and length must agree with the datagram.
/// </summary>
public sealed class IkeInspector() : Inspector(new(AppLabel.Ike, Udp, [500, 4500], InspectorPrecision.Loose, 40))
{
    private const int Header = 28;
    private static readonly AppDetail IkeV1NatT = AppDetail.Of(new(null, "ikev1"), new(null, "nat-t"));
    private static readonly AppDetail IkeV2NatT = AppDetail.Of(new(null, "ikev2"), new(null, "nat-t"));

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp) return InspectResult.NoMatch;
        if (data.Length == 1 && data[0] == 0xFF) return InspectResult.NeedMore;
        bool natT = data.Length >= 4 + Header && BinaryPrimitives.ReadUInt32BigEndian(data) == 0;
        if (natT) data = data[4..];
        if (data.Length < Header || BinaryPrimitives.ReadUInt64BigEndian(data) == 0) return InspectResult.NoMatch;
        byte version = data[17];
        byte exchange = data[18];
        bool ok = version switch
        {
            0x10 => exchange is >= 1 and <= 6 or 32 or 33,
            0x20 => exchange is >= 34 and <= 37 or 43,
            _ => false,
        };
        if (!ok || BinaryPrimitives.ReadUInt32BigEndian(data[24..]) != data.Length) return InspectResult.NoMatch;
        input.Flow.AppDetail ??= natT ? (version == 0x10 ? IkeV1NatT : IkeV2NatT) : AppDetail.Word(version == 0x10 ? "ikev1" : "ikev2");
        return InspectResult.Match;
    }
}
