using System.Globalization;
using PortAudit.Common;
using PortAudit.Pipeline.Filter;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Times past what a long of nanoseconds holds (2262-04-11T23:47:16.854775807Z) are refused wherever a date is parsed,
/// where they wrapped to a time centuries off: `--since 9999-12-31T23:59:59Z` kept every flow, and a record dated 9999
/// got a start in 1816.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class UnixTimeTests
{
    private static readonly long LastTicks = DateTime.UnixEpoch.Ticks + long.MaxValue / 100;

    [Fact]
    public void TicksToTheLastWholeHundredNanosecondsFitAndOneMoreDoesNot()
    {
        Assert.True(UnixTime.TryFromTicks(LastTicks, out long last));
        Assert.Equal(long.MaxValue / 100 * 100, last);
        Assert.False(UnixTime.TryFromTicks(LastTicks + 1, out _));
        Assert.False(UnixTime.TryFromTicks(DateTime.MaxValue.Ticks, out _));
        Assert.True(UnixTime.TryFromTicks(DateTime.UnixEpoch.Ticks - long.MaxValue / 100, out long first));
        Assert.Equal(-(long.MaxValue / 100 * 100), first);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59Z", false)]
    [InlineData("2262-04-12T00:00:00Z", false)]
    [InlineData("2262-04-11T23:47:16Z", true)]
    [InlineData("2024-05-01T10:00:00Z", true)]
    public void SinceAndUntilRefuseADatePastTheSpan(string text, bool fits)
    {
        Assert.Equal(fits, FlowFilter.TryParseTime(text, out long ns));
        if (fits) Assert.Equal(DateTimeOffset.Parse(text).ToUnixTimeSeconds() * 1_000_000_000, ns);
    }

    [Fact]
    public void RecordTimesPastTheSpanAreRefusedNotWrapped()
    {
        Assert.False(RecordFields.TryParseIso("9999-12-31T23:59:59Z", out _));
        Assert.True(RecordFields.TryParseEpoch("9223372036.854775807", out long last));
        Assert.Equal(long.MaxValue, last);
        // The last second's fraction past .854775807 wrapped to a negative time.
        Assert.False(RecordFields.TryParseEpoch("9223372036.854775808", out _));
        Assert.False(SyslogTime.TryParse("Dec 31 9999 23:59:59 host kernel:", ReadAt(2026, 6, 1), TimeZoneInfo.Utc, out _));
        Assert.True(SyslogTime.TryParse("Dec 31 2026 23:59:59 host kernel:", ReadAt(2026, 6, 1), TimeZoneInfo.Utc, out long syslog));
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000_000, syslog);
    }

    private static DateTime ReadAt(int year, int month, int day) => new(year, month, day, 12, 0, 0, DateTimeKind.Utc);

    private static long Seconds(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).ToUnixTimeSeconds() * 1_000_000_000;

    [Theory]
    [InlineData("2024-06-01", "2024-02-29T10:00:00Z")]
    [InlineData("2026-06-01", "2024-02-29T10:00:00Z")]
    [InlineData("2028-02-29", "2028-02-29T10:00:00Z")]
    [InlineData("2029-01-10", "2028-02-29T10:00:00Z")]
    public void FebruaryTheTwentyNinthWithoutAYearIsOfTheLastLeapYear(string readAt, string expected)
    {
        // Parsed without a year, .NET took the current one: in a year without 29 February the line had no time at all;
        // then it was the 28th of the year read, a day that line never named.
        var read = DateTime.Parse(readAt, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.True(SyslogTime.TryParse("Feb 29 10:00:00 host kernel: DROP IN=eth0", read, TimeZoneInfo.Utc, out long time));
        Assert.Equal(Seconds(expected), time);
    }

    [Theory]
    // A log of June or late December read in January: last year's, where it was put months ahead.
    [InlineData("Jun  8 14:34:33 host kernel:", "2025-06-08T14:34:33Z")]
    [InlineData("Dec 31 23:59:59 host kernel:", "2025-12-31T23:59:59Z")]
    [InlineData("Jan  3 00:00:01 host kernel:", "2026-01-03T00:00:01Z")]
    // A day ahead of UTC at most (UTC+14 writes its own clock): still this year's.
    [InlineData("Jan 11 08:00:00 host kernel:", "2026-01-11T08:00:00Z")]
    [InlineData("Jan 12 13:00:00 host kernel:", "2025-01-12T13:00:00Z")]
    public void A_time_without_a_year_is_the_latest_not_after_the_log_was_read(string line, string expected)
    {
        Assert.True(SyslogTime.TryParse(line, ReadAt(2026, 1, 10), TimeZoneInfo.Utc, out long time));
        Assert.Equal(Seconds(expected), time);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("12:00")]
    [InlineData("1/2/3")]
    [InlineData("2021-06-09")]
    [InlineData("Wed, 09 Jun 2021 20:55:13 GMT")]
    public void WhatIsNotAnIsoDateAndTimeIsNoRecordTime(string text)
    {
        // The lenient parser read "1,5" as 5 January of this year, "12:00" as today at noon.
        Assert.False(RecordFields.TryParseIso(text, out _));
    }

    [Theory]
    [InlineData("2021-06-09T20:55:13.160328Z", 1623272113160328000)]
    [InlineData("2021-06-09 20:55:13", 1623272113000000000)]
    [InlineData("2021-06-09T22:55:13+02:00", 1623272113000000000)]
    public void IsoDatesAndTimesAreRead(string text, long expected)
    {
        Assert.True(RecordFields.TryParseIso(text, out long time));
        Assert.Equal(expected, time);
    }

    [Fact]
    public void AZeekTimeOfOnlyMaskCharactersIsRejectedUnlessItIsTheWholeMask()
    {
        const string Header = "#separator \\x09\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n";
        var run = RecordRun.Text(Header +
            "XXXXXXXXXX.XXXXXX\t10.0.0.1\t5000\t10.0.0.2\t80\ttcp\tSF\n" +
            ".\t10.0.0.1\t5001\t10.0.0.2\t80\ttcp\tSF\n" +
            "X\t10.0.0.1\t5002\t10.0.0.2\t80\ttcp\tSF\n", RecordFormat.ZeekTsv);
        Assert.Equal(5000, Assert.Single(run.Flows).ClientPort);
        Assert.Equal(["line 4", "line 5"], run.Records.Problems.Select(p => p.Place));
    }

    [Fact]
    public void AnNfdumpRecordDatedPastTheSpanIsRejected()
    {
        var run = RecordRun.Text("""
            ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in
            2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.100,10.77.0.10,53160,5061,TCP,......S.,0,0,1,60,0,0,0
            9999-12-31 23:59:59,9999-12-31 23:59:59,0.000,10.77.0.100,10.77.0.10,53161,5061,TCP,......S.,0,0,1,60,0,0,0
            """);
        Assert.Equal((1L, 1L), (run.Records.Read, run.Records.Rejected));
        Assert.Equal(53160, Assert.Single(run.Flows).ClientPort);
    }
}
