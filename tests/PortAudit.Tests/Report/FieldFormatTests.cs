using System.Text;
using System.Globalization;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Report;
using PortAudit.Report.Records;

namespace PortAudit.Tests.Report;

/// <summary>Times and addresses are formatted by hand for speed; these hold them to the framework's own forms.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class FieldFormatTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(1_700_000_000_000_001_000L)]
    [InlineData(1_709_164_800_123_456_789L)] // 2024-02-29
    [InlineData(1_735_689_599_999_999_999L)] // last microsecond of 2024
    [InlineData(253_402_300_799_999_999L)] // 9999-12-31T23:59:59
    [InlineData(long.MaxValue)]
    public void Timestamps_are_ISO_8601_with_microseconds(long nanoseconds)
    {
        var expected = DateTime.UnixEpoch.AddTicks(Math.Max(0, nanoseconds) / 100)
            .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(expected, Timestamps.ToIso(nanoseconds));
    }

    [Fact]
    public void Timestamps_agree_with_DateTime_over_many_days_and_times()
    {
        var random = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            long nanoseconds = random.NextInt64(0, 4_102_444_800_000_000_000L); // to 2100
            var expected = DateTime.UnixEpoch.AddTicks(nanoseconds / 100)
                .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            Assert.Equal(expected, Timestamps.ToIso(nanoseconds));
        }
    }

    [Fact]
    public void Times_written_one_after_another_are_those_of_Timestamps_Format_whichever_second_came_before()
    {
        // Runs within one second, steps across seconds and days, backwards, to the epoch and before it.
        var random = new Random(46);
        var times = new List<long> { 0, -1, 999_999_999, 1_000_000_000, -5, 1_735_689_599_999_999_999L, 1_735_689_600_000_000_000L, long.MaxValue, 0 };
        long time = 1_700_000_000_000_000_000L;
        for (int i = 0; i < 20_000; i++)
        {
            time += random.Next(5) switch
            {
                0 => random.Next(1_000),
                1 => random.Next(1_000_000_000),
                2 => -random.Next(2_000_000_000),
                3 => random.NextInt64(86_400_000_000_000L),
                _ => 0,
            };
            times.Add(time);
        }
        var last = new Timestamps.LastSecond();
        Span<byte> expected = stackalloc byte[Timestamps.IsoLength], written = stackalloc byte[Timestamps.IsoLength];
        foreach (long t in times)
        {
            Timestamps.Format(t, expected);
            Assert.Equal(Timestamps.IsoLength, last.Format(t, written));
            Assert.True(expected.SequenceEqual(written), $"{t}: {Encoding.ASCII.GetString(written)}, not {Encoding.ASCII.GetString(expected)}");
        }
    }

    [Fact]
    public void Addresses_are_written_as_IPAddress_writes_them()
    {
        var random = new Random(11);
        var addresses = Enumerable.Range(0, 256).SelectMany(o => new[] { (uint)o << 24 | 0x000A_0B0C, 0x0A00_0000u | (uint)o << 16 | (uint)o, (uint)o * 0x0101_0101u })
            .Concat(Enumerable.Range(0, 10_000).Select(_ => (uint)random.NextInt64(0, 1L << 32)))
            .Select(IpAddr.FromV4)
            .Concat(new[] { "::", "::1", "fe80::1", "2001:db8::1:0:0:1", "2001:db8:0:0:1:0:0:1", "::5efe:10.0.0.1", "64:ff9b::1.2.3.4",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" }.Select(text => IpAddr.TryParse(text, out var a) ? a : throw new FormatException(text)));
        foreach (var address in addresses) Assert.Equal(address.ToIPAddress().ToString(), address.ToString());
    }
}
