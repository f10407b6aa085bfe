using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// NTP (RFC 5905) over UDP port 123: version 1-4 with a time-transfer mode and a 48-byte header (optionally followed
/// by extension fields and a MAC), or a mode-6 control message whose count frames the datagram.
/// </summary>
/// <remarks>
/// The header has few fixed bits: a random first word (a NetBIOS name service transaction id and flags, say) reads as a
/// valid client packet about once in fifty tries, and as a control message about once in sixteen. So a flow is NTP only
/// when one of its ports is 123, as nDPI and Zeek decide. Off that port, a datagram the hinted inspector refused (a
/// WINS registration of an opcode it did not know) labelled a flow between two NetBIOS ports "ntp".
/// </remarks>
public sealed class NtpInspector() : Inspector(new(AppLabel.Ntp, Udp, [123], InspectorPrecision.Loose, 50) { FirstBytes = Leading(Where(b => (b >> 3 & 7) is >= 1 and <= 4 && (b & 7) is >= 1 and <= 6)) })
{
    // FirstBytes: LI (any), VN and Mode (RFC 5905 7.3): the versions 1-4 and modes 1-6 read below.
    private const int Header = 48, ControlHeader = 12;
    private const ushort Port = 123;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < ControlHeader) return InspectResult.NoMatch;
        if (input.Flow.ServerPort != Port && input.Flow.ClientPort != Port) return InspectResult.NoMatch;
        int version = (data[0] >> 3) & 7;
        int mode = data[0] & 7;
        if (version is < 1 or > 4) return InspectResult.NoMatch;
        bool ok = mode switch
        {
            >= 1 and <= 5 => data.Length >= Header && (data.Length - Header) % 4 == 0 && data[1] <= 16 && data[2] <= 17 && (sbyte)data[3] <= 0,
            6 => ControlHeader + BinaryPrimitives.ReadUInt16BigEndian(data[10..]) <= data.Length && BinaryPrimitives.ReadUInt16BigEndian(data[10..]) <= 468,
            _ => false,
        };
        if (!ok) return InspectResult.NoMatch;
        // Versions 1-4 and eight modes: a fixed vocabulary.
        input.Flow.AppDetail ??= AppDetail.Word($"v{version} " + mode switch
        {
            1 => "symmetric-active",
            2 => "symmetric-passive",
            3 => "client",
            4 => "server",
            5 => "broadcast",
            _ => "control",
        });
        return InspectResult.Match;
    }
}
