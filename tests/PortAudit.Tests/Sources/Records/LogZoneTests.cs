using System.Globalization;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources.Records;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Log times that name no zone (a Windows firewall log's local time, RFC 3164 syslog, nfdump's CSV) were read as UTC
/// whatever the site said: a Berlin host's pfirewall.log was one or two hours off, with no way to place it. The site
/// names the zone (`--log-zone Europe/Berlin`, <see cref="LogTimeZones.Unnamed"/>); each time is then where GNU date,
/// and nfdump printing in the same TZ, place it.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class LogZoneTests
{
    internal const string WindowsHeader = "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n" +
                                         "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n";

    internal static string WindowsRow(string time, int port) => $"{time} ALLOW TCP 10.0.0.5 10.0.0.9 5{port:D4} {port} 0 - - - - - - - SEND\n";

    [NeedsZoneFact("Europe/Berlin")]
    public void A_windows_firewall_logs_local_times_are_where_date_places_them_in_the_named_zone()
    {
        // Winter, the day clocks go forward (before and after), summer, and winter again: GNU date reads each on Berlin's clock.
        string[] times = ["2005-03-27 01:30:00", "2005-03-27 03:30:00", "2005-07-01 12:00:00", "2005-12-01 12:00:00"];
        // 02:30 that day never showed on a Berlin clock; 02:30 on 30 October showed twice (read as its standard time, +01:00).
        string log = WindowsHeader + string.Concat(times.Select((t, i) => WindowsRow(t, 1000 + i)))
                     + WindowsRow("2005-03-27 02:30:00", 2000) + WindowsRow("2005-10-30 02:30:00", 2001);
        var berlin = Run(log, RecordFormat.WindowsFirewall, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

        var byDate = times.Select(t => DateSeconds(t, "Europe/Berlin") * 1_000_000_000);
        Assert.Equal(byDate.Append(Seconds("2005-10-30T01:30:00Z")), berlin.Flows.OrderBy(f => f.ServerPort).Select(f => f.StartNs));
        Assert.Equal("line 9", Assert.Single(berlin.Records.Problems).Place);
        Assert.Contains("summer time", berlin.Records.Problems[0].Reason);

        // Named no zone, the same rows are UTC, as before.
        var utc = Run(log, RecordFormat.WindowsFirewall, null);
        Assert.Equal(Seconds("2005-07-01T12:00:00Z"), utc.Flows.Single(f => f.ServerPort == 1002).StartNs);
    }

    [NeedsZoneFact("America/Chicago")]
    public void A_syslog_time_without_zone_or_year_is_placed_on_the_named_zones_clock()
    {
        var chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var readAt = new DateTime(2026, 1, 1, 3, 0, 0, DateTimeKind.Utc);
        // 22:00 on 31 December in Chicago is 04:00 on 1 January in UTC: still last year's line, an hour past readAt.
        Assert.True(SyslogTime.TryParse("Dec 31 22:00:00 host kernel: DROP IN=eth0", readAt, chicago, out long december));
        Assert.Equal(Seconds("2026-01-01T04:00:00Z"), december);
        Assert.True(SyslogTime.TryParse("Jun  8 14:34:33 host kernel: DROP IN=eth0", readAt, chicago, out long june));
        Assert.Equal(Seconds("2025-06-08T19:34:33Z"), june);
        // An offset written in the line is the line's own, whatever the site named.
        Assert.True(SyslogTime.TryParse("2025-06-08T14:34:33+02:00 host kernel: DROP IN=eth0", readAt, chicago, out long iso));
        Assert.Equal(Seconds("2025-06-08T12:34:33Z"), iso);
        Assert.True(SyslogTime.TryParse("2025-06-08T14:34:33.250 host kernel: DROP IN=eth0", readAt, chicago, out long bare));
        Assert.Equal(Seconds("2025-06-08T19:34:33Z") + 250_000_000, bare);
    }

    [Fact]
    public void An_asa_time_without_a_zone_name_takes_the_named_zone_and_one_with_a_name_keeps_its_own()
    {
        const string Permitted = ": %ASA-session-5-106100: access-list acl_in permitted tcp inside/10.1.2.16(2241) -> outside/192.0.0.89(2000) hit-cnt 1 first hit [0x71a87d94, 0x0]\n";
        var run = Run("Apr 15 2014 09:34:36" + Permitted + "Apr 15 2014 09:34:37 EDT" + Permitted, RecordFormat.CiscoAsa,
            TimeZoneInfo.CreateCustomTimeZone("+05:30", TimeSpan.FromMinutes(330), "+05:30", "+05:30"));
        Assert.Equal([Seconds("2014-04-15T04:04:36Z"), Seconds("2014-04-15T13:34:37Z")], run.Flows.Select(f => f.StartNs).Order());
    }

    [NeedsProgramFact("softflowd", shared: "flowdata", package: "softflowd nfdump", also: "nfcapd")]
    public void Nfdump_printing_in_a_zone_read_in_that_zone_gives_the_times_it_prints_in_utc()
    {
        string capture = SharedData.Path("flowdata/zeek/ftp-ipv4/ipv4.pcap")!;
        string nfcapd = Directory.CreateTempSubdirectory("portaudit-nfcapd-zone").FullName;
        try
        {
            SoftflowdExport.ThroughNfcapd(nfcapd, port => SoftflowdExport.To(capture, port));
            var utc = Run(SoftflowdExport.NfdumpCsv(nfcapd), RecordFormat.NfdumpCsv, null);
            var chicagoCsv = SoftflowdExport.NfdumpCsv(nfcapd, "America/Chicago");
            var chicago = Run(chicagoCsv, RecordFormat.NfdumpCsv, TimeZoneInfo.FindSystemTimeZoneById("America/Chicago"));
            Assert.NotEmpty(utc.Flows);
            Assert.Equal(Times(utc), Times(chicago));
            // Read as UTC, Chicago's figures are hours early: what happened before the option.
            var unplaced = Run(chicagoCsv, RecordFormat.NfdumpCsv, null);
            var placed = utc.Flows.ToDictionary(RecordRun.Canonical, f => f.StartNs);
            Assert.All(unplaced.Flows, f => Assert.Equal(6 * 3_600_000_000_000L, placed[RecordRun.Canonical(f)] - f.StartNs));
        }
        finally
        {
            Directory.Delete(nfcapd, recursive: true);
        }
    }

    // GNU date's reading of a wall time on the clock of zone.
    private static long DateSeconds(string wallTime, string zone)
    {
        var start = ExternalProgram.Start("date", ["-d", wallTime, "+%s"]);
        start.Environment["TZ"] = zone;
        var result = ExternalProgram.Run(start, TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.StandardError);
        return long.Parse(result.StandardOutput.Trim(), CultureInfo.InvariantCulture);
    }

    private static List<string> Times(RecordRun run) =>
        run.Flows.Select(f => $"{RecordRun.Canonical(f)} {f.StartNs} {f.EndNs}").Order().ToList();

    private static long Seconds(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).ToUnixTimeSeconds() * 1_000_000_000;

    private static RecordRun Run(string text, RecordFormat format, TimeZoneInfo? zone)
    {
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-log-zone-{Guid.NewGuid():N}.log");
        File.WriteAllText(path, text);
        try
        {
            return RecordRun.Of(new RecordFileSource(path, format) { Zones = new LogTimeZones([], zone) });
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>What the CLI says of a Windows firewall log's local times when the site named no zone.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class LogZoneCliTests
{
    // The file says its times are local (#Time Format: Local): read as UTC with no zone named, the run says so, once.
    [Fact]
    public void A_windows_firewall_log_read_without_a_zone_says_its_local_times_were_read_as_utc()
    {
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-log-zone-{Guid.NewGuid():N}.log");
        File.WriteAllText(path, LogZoneTests.WindowsHeader + LogZoneTests.WindowsRow("2005-07-01 12:00:00", 1000) + LogZoneTests.WindowsRow("2005-07-01 12:00:01", 1001));
        try
        {
            var unnamed = PortAudit.Tests.Cli.CliProcess.Run($"flows \"{path}\" --format jsonl -o -");
            Assert.Equal(0, unnamed.ExitCode);
            Assert.Contains("2 flow records are in the local time of the host that wrote them (a Windows firewall log) and were read as UTC", unnamed.StandardError);
            var named = PortAudit.Tests.Cli.CliProcess.Run($"flows \"{path}\" --format jsonl -o - --log-zone UTC");
            Assert.Equal(0, named.ExitCode);
            Assert.DoesNotContain("read as UTC", named.StandardError);
            Assert.Equal(unnamed.StandardOutput, named.StandardOutput);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>A fact that needs the system's IANA time zone database (tzdata) to hold <paramref name="zone"/>.</summary>
public sealed class NeedsZoneFactAttribute : FactAttribute
{
    public NeedsZoneFactAttribute(string zone)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)) Skip = $"time zone {zone} not in the system's database (apt-get install tzdata): check skipped";
    }
}
