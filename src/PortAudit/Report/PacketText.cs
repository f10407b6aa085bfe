using System.Globalization;
using PortAudit.Audit;

namespace PortAudit.Report;

/// <summary>
/// The packets an audit read, in words shared by report.md, report.html and the console summary: what the verdicts rest
/// on, and what of the capture is in no flow and why, so that a reader weighs a report on a capture cut by its snap
/// length or full of damage.
/// </summary>
public static class PacketText
{
    /// <summary>
    /// "2905236 packets read, 984612984 bytes captured; in no flow: 12 not IP, 0 truncated, 0 malformed": null when the
    /// inputs held no packets. Records of an unknown link type, and packets a live capture dropped ("; 31637 dropped by
    /// the capture before they were read"), are named only when there were some.
    /// </summary>
    public static string? Describe(PacketCounts packets)
    {
        if (!packets.Any) return null;
        string text = string.Create(CultureInfo.InvariantCulture,
            $"{packets.Read} packets read, {packets.Bytes} bytes captured; in no flow: {packets.NotIp} not IP, " +
            $"{packets.Truncated} truncated, {packets.Malformed} malformed");
        if (packets.UnsupportedLinkType > 0)
            text = string.Create(CultureInfo.InvariantCulture, $"{text}, {packets.UnsupportedLinkType} of a link type not decoded");
        return packets.Dropped == 0
            ? text
            : string.Create(CultureInfo.InvariantCulture, $"{text}; {packets.Dropped} dropped by the capture before they were read");
    }
}
