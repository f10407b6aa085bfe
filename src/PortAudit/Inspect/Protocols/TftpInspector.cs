using System.Buffers.Binary;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// A TFTP read or write request (RFC 1350, options RFC 2347): opcode 1 or 2, a file name and a transfer mode
/// (netascii, octet, mail), each NUL-terminated, then option pairs that end the datagram. The server answers from
/// another port, so the request flow holds the request alone; the transfer is labelled by the announcement it makes
/// (<see cref="Tftp.TftpTransferAnnouncement"/>).
/// </summary>
public sealed class TftpInspector() : Inspector(new(AppLabel.Tftp, Udp, [69], InspectorPrecision.Loose, 60) { FirstBytes = Leading(0x00) })
{
    private const int MaxText = 255;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || !input.FromClient || data.Length < 6) return InspectResult.NoMatch;
        ushort opcode = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (opcode is not (1 or 2)) return InspectResult.NoMatch;
        var rest = data[2..];
        if (!TryString(ref rest, out var file) || !TryString(ref rest, out var mode) || !IsMode(mode)) return InspectResult.NoMatch;
        // Options come in name/value pairs and fill the datagram.
        while (!rest.IsEmpty)
            if (!TryString(ref rest, out _) || !TryString(ref rest, out _)) return InspectResult.NoMatch;
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.Append(opcode == 1 ? "rrq" : "wrq");
        text.Part("mode");
        text.AppendEscaped(mode, 8);
        text.Part("file");
        text.AppendEscaped(file, 128);
        input.Flow.AppDetail = text.Build();
        return InspectResult.Match;
    }

    // An empty file name is taken (some clients probe with one, and servers answer it with an error); an empty mode is not.
    private static bool TryString(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> text)
    {
        int end = rest.IndexOf((byte)0);
        text = end >= 0 && end <= MaxText ? rest[..end] : default;
        if (end < 0 || end > MaxText || !AsciiText.IsPrintable(text)) return false;
        rest = rest[(end + 1)..];
        return true;
    }

    private static bool IsMode(ReadOnlySpan<byte> mode) =>
        (mode.Length == 8 && AsciiText.StartsWithIgnoreCase(mode, "netascii"u8))
        || (mode.Length == 5 && AsciiText.StartsWithIgnoreCase(mode, "octet"u8))
        || (mode.Length == 4 && AsciiText.StartsWithIgnoreCase(mode, "mail"u8));
}
