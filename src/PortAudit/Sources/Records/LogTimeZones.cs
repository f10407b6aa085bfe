namespace PortAudit.Sources.Records;

/// <summary>
/// Where a log's times are in the world, to place them in UTC. Times that name no zone (RFC 3164 syslog, a Windows
/// firewall log's local time, nfdump's CSV in its host's zone) are the <see cref="Unnamed"/> zone's: UTC unless the site
/// names its own (`--log-zone Europe/Berlin`). Times followed by a zone's name (Cisco ASA prints the name its <c>clock
/// timezone</c> and <c>clock summer-time</c> commands were given) are placed by that name's offset. A name is any word an
/// administrator chose, so only the abbreviations the IANA time zone database uses for one offset alone are known (in
/// its rules from 2005 on); those it uses for several are not, since the line does not say which was meant: CST (-6 in
/// Chicago, -5 in Havana, +8 in Shanghai), CDT, PST (-8 in Los Angeles, +8 in Manila), IST (+5:30, +1, +2), KST and
/// MSK. The site knows which it meant and names it (the constructor): `--log-zone CST=-06:00`.
/// </summary>
public sealed class LogTimeZones
{
    // The offsets a site named, before the table: a name it gives is the one it meant, even one the table knows.
    private readonly Dictionary<string, int> _named = new(StringComparer.OrdinalIgnoreCase);

    // UTC-12 to UTC+14, the offsets of the IANA database.
    private static readonly TimeSpan LeastOffset = TimeSpan.FromHours(-12), GreatestOffset = TimeSpan.FromHours(14);

    /// <summary>
    /// The table, with each of <paramref name="named"/> (a name of 2 to 5 letters, as a log writes it after its times)
    /// at its offset from UTC (whole minutes, -12:00 to +14:00), a name given twice taking the last; times that name no
    /// zone are <paramref name="unnamed"/>'s (UTC when null).
    /// </summary>
    /// <exception cref="ArgumentException">A name is not 2 to 5 letters or an offset is not one a zone has.</exception>
    public LogTimeZones(IEnumerable<(string Name, TimeSpan Offset)> named, TimeZoneInfo? unnamed = null)
    {
        Unnamed = unnamed ?? TimeZoneInfo.Utc;
        UnnamedGiven = unnamed is not null;
        foreach (var (name, offset) in named)
        {
            if (Invalid(name, offset) is { } problem) throw new ArgumentException(problem, nameof(named));
            _named[name] = (int)offset.TotalMinutes;
        }
    }

    /// <summary>What is wrong with naming <paramref name="name"/> at <paramref name="offset"/>; null when nothing is.</summary>
    public static string? Invalid(string name, TimeSpan offset) =>
        name.Length is < 2 or > 5 || !name.All(char.IsAsciiLetter) ? $"zone name '{name}' is not 2 to 5 letters, as a log writes it after its times"
        : !IsZoneOffset(offset) ? $"offset of '{name}' is not from -12:00 to +14:00"
        : null;

    /// <summary>Whether a zone may be <paramref name="offset"/> from UTC: whole minutes from -12:00 to +14:00.</summary>
    public static bool IsZoneOffset(TimeSpan offset) =>
        offset >= LeastOffset && offset <= GreatestOffset && offset.Ticks % TimeSpan.TicksPerMinute == 0;

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

    /// <summary>The zone of times that name none: UTC unless the site named its own.</summary>
    public TimeZoneInfo Unnamed { get; }

    /// <summary>Whether the site named <see cref="Unnamed"/> (UTC included), rather than leaving it UTC by default.</summary>
    public bool UnnamedGiven { get; }

    /// <summary>UTC for times that name no zone, the abbreviations of one offset alone, and no name of the site's.</summary>
    // Declared after the fields its construction reads: static fields are set in the order they are written.
    public static readonly LogTimeZones Default = new([]);

    /// <summary>
    /// The offset from UTC of the zone <paramref name="name"/> (any case), as the site named it or else from the table;
    /// false for a name of several offsets or none.
    /// </summary>
    public bool TryOffset(ReadOnlySpan<char> name, out TimeSpan offset)
    {
        bool known = _named.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out int minutes)
            || OffsetMinutes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out minutes);
        offset = TimeSpan.FromMinutes(minutes);
        return known;
    }
}
