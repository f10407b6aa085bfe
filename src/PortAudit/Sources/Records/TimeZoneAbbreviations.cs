namespace PortAudit.Sources.Records;

/// <summary>
/// UTC offsets of time zone abbreviations, for logs that write a zone's name after the time (Cisco ASA prints the name
/// its <c>clock timezone</c> and <c>clock summer-time</c> commands were given). A name is any word an administrator
/// chose, so only the abbreviations the IANA time zone database uses for one offset alone are known (in its rules from
/// 2005 on); those it uses for several are not, since the line does not say which was meant: CST (-6 in Chicago, -5 in
/// Havana, +8 in Shanghai), CDT, PST (-8 in Los Angeles, +8 in Manila), IST (+5:30, +1, +2), KST and MSK.
/// </summary>
public static class TimeZoneAbbreviations
{
    private static readonly Dictionary<string, int> OffsetMinutes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UTC"] = 0, ["GMT"] = 0, ["WET"] = 0, ["WEST"] = 60, ["BST"] = 60, ["CET"] = 60, ["CEST"] = 120, ["MET"] = 60,
        ["MEST"] = 120, ["EET"] = 120, ["EEST"] = 180, ["MSD"] = 240, ["WAT"] = 60, ["CAT"] = 120, ["SAST"] = 120,
        ["EAT"] = 180, ["IDT"] = 180, ["PKT"] = 300, ["PKST"] = 360, ["WIB"] = 420, ["WITA"] = 480, ["WIT"] = 540,
        ["HKT"] = 480, ["AWST"] = 480, ["AWDT"] = 540, ["JST"] = 540, ["ACST"] = 570, ["ACDT"] = 630, ["AEST"] = 600,
        ["AEDT"] = 660, ["ChST"] = 600, ["NZST"] = 720, ["NZDT"] = 780, ["NST"] = -210, ["NDT"] = -150, ["AST"] = -240,
        ["ADT"] = -180, ["EST"] = -300, ["EDT"] = -240, ["MST"] = -420, ["MDT"] = -360, ["PDT"] = -420, ["AKST"] = -540,
        ["AKDT"] = -480, ["HST"] = -600, ["HDT"] = -540, ["SST"] = -660,
    };

    /// <summary>The offset from UTC of the zone <paramref name="name"/> (any case); false for a name not known to be one offset.</summary>
    public static bool TryOffset(ReadOnlySpan<char> name, out TimeSpan offset)
    {
        bool known = OffsetMinutes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out int minutes);
        offset = TimeSpan.FromMinutes(minutes);
        return known;
    }
}
