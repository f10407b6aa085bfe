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
        Assert.False(SyslogTime.TryParse("Dec 31 9999 23:59:59 host kernel:", 2026, out _));
        Assert.True(SyslogTime.TryParse("Dec 31 2026 23:59:59 host kernel:", 2026, out long syslog));
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000_000, syslog);
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
