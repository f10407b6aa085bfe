using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// NTP (RFC 5905) over UDP: version 1-4 with a time-transfer mode and a 48-byte header (optionally followed by
/// extension fields and a MAC), or a mode-6 control message whose count frames the datagram.
/// </summary>
public sealed class NtpInspector() : Inspector(new(AppLabel.Ntp, Udp, [123], InspectorPrecision.Loose, 50))
{
    private const int Header = 48, ControlHeader = 12;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < ControlHeader) return InspectResult.NoMatch;
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
