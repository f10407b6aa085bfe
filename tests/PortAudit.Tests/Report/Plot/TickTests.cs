using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

[Trait(Tier.Name, Tier.Unit)]
public class TickTests
{
    private static bool IsNice(double step)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(step)));
        double fraction = Math.Round(step / magnitude, 9);
        return fraction is 1 or 2 or 5;
    }

    [Theory]
    [InlineData(0, 97, 6)]
    [InlineData(0, 1, 5)]
    [InlineData(0.0003, 0.0071, 5)]
    [InlineData(-13, 47, 6)]
    [InlineData(0, 123_456_789, 8)]
    [InlineData(3.2, 3.9, 4)]
    public void Ticks_are_evenly_spaced_1_2_5_multiples_covering_the_data(double min, double max, int maxTicks)
    {
        var axis = NiceTicks.Compute(min, max, maxTicks, integral: false);

        Assert.True(IsNice(axis.Step), $"step {axis.Step}");
        Assert.True(axis.Min <= min && axis.Max >= max);
        Assert.InRange(axis.Ticks.Count - 1, 1, maxTicks + 1);
        foreach (double tick in axis.Ticks)
            Assert.Equal(0, Math.Abs(Math.Round(tick / axis.Step) * axis.Step - tick), 9);
    }

    [Fact]
    public void Decimal_steps_print_without_float_noise()
    {
        var axis = NiceTicks.Compute(0, 0.7, 7, integral: false);

        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], axis.Ticks);
        Assert.Equal("0.3", UnitFormat.Tick(axis.Ticks[3], axis.Step));
    }

    [Fact]
    public void Counts_never_get_fractional_ticks()
    {
        var axis = NiceTicks.Compute(0, 3, 10, integral: true);
        Assert.Equal([0, 1, 2, 3], axis.Ticks);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 5)]
    [InlineData(-2, -2)]
    public void A_single_value_still_gets_an_axis_with_a_span(double min, double max)
    {
        var axis = NiceTicks.Compute(min, max, 5, integral: false);

        Assert.True(axis.Max > axis.Min);
        Assert.True(axis.Min <= min && axis.Max >= max);
        Assert.All(axis.Ticks, t => Assert.True(double.IsFinite(t)));
    }

    [Theory]
    [InlineData(512, "B", 1)]
    [InlineData(5_000, "KiB", 1024)]
    [InlineData(3_000_000, "MiB", 1048576)]
    [InlineData(8e9, "GiB", 1073741824)]
    public void Bytes_are_shown_in_the_binary_multiple_that_fits(double max, string suffix, double divisor)
    {
        var format = UnitFormat.For(ValueUnit.Bytes, max);

        Assert.Equal(suffix, format.Suffix);
        Assert.Equal(divisor, format.Divisor);
        Assert.Equal($"Bytes ({suffix})", format.AxisTitle(null));
    }

    [Fact]
    public void Values_print_with_their_units()
    {
        Assert.Equal("1.5 MiB", UnitFormat.Value(1.5 * 1024 * 1024, ValueUnit.Bytes));
        Assert.Equal("1 flow", UnitFormat.Value(1, ValueUnit.Flows));
        Assert.Equal("1,200 packets", UnitFormat.Value(1200, ValueUnit.Packets));
        Assert.Equal("1.2k", UnitFormat.Compact(1234));
        Assert.Equal("34k", UnitFormat.Compact(34_000));
    }

    [Fact]
    public void Seconds_span_gets_second_ticks_labelled_with_seconds()
    {
        var start = new DateTime(2024, 5, 1, 12, 0, 3, 400, DateTimeKind.Utc);
        var axis = TimeTicks.Compute(start, start.AddSeconds(40), 8);

        Assert.Equal(["12:00:05", "12:00:10", "12:00:15", "12:00:20", "12:00:25", "12:00:30", "12:00:35", "12:00:40"], axis.Labels);
        Assert.Equal("Time (UTC, from 2024-05-01 12:00:03)", axis.Title);
    }

    [Fact]
    public void Sub_second_span_gets_millisecond_labels()
    {
        var start = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        var axis = TimeTicks.Compute(start, start.AddMilliseconds(800), 8);

        Assert.Equal("12:00:00.000", axis.Labels[0]);
        Assert.Equal("12:00:00.200", axis.Labels[2]);
    }

    [Fact]
    public void Hours_span_gets_hour_and_minute_labels_with_the_date_where_it_changes()
    {
        var start = new DateTime(2024, 5, 1, 17, 10, 0, DateTimeKind.Utc);
        var axis = TimeTicks.Compute(start, start.AddHours(10), 8);

        Assert.Equal(["18:00", "20:00", "22:00", "05-02 00:00", "02:00"], axis.Labels);
    }

    [Fact]
    public void Days_span_gets_date_labels_at_midnight()
    {
        var start = new DateTime(2024, 5, 1, 6, 0, 0, DateTimeKind.Utc);
        var axis = TimeTicks.Compute(start, start.AddDays(9), 6);

        Assert.Equal(["2024-05-03", "2024-05-05", "2024-05-07", "2024-05-09"], axis.Labels);
        Assert.All(axis.Ticks, t => Assert.Equal(TimeSpan.Zero, t.TimeOfDay));
        Assert.Equal("Time (UTC)", axis.Title);
    }

    [Fact]
    public void One_moment_gets_a_padded_axis_with_ticks()
    {
        var axis = TimeTicks.Compute(PlotSamples.Start, PlotSamples.Start, 8);

        Assert.True(axis.End > axis.Start);
        Assert.Contains(PlotSamples.Start, axis.Ticks);
    }
}

[Trait(Tier.Name, Tier.Unit)]
public class PaletteTests
{
    [Fact]
    public void Other_keys_do_not_take_a_colour_a_verdict_already_has_in_the_chart()
    {
        var colors = new ColorAssigner();
        string expected = colors.Color("expected");
        string[] others = Enumerable.Range(0, PlotPalette.Categorical.Count - 1).Select(i => colors.Color("rule-" + i)).ToArray();

        Assert.DoesNotContain(expected, others);
        Assert.Equal(others.Length, others.Distinct().Count());
        Assert.Equal(expected, PlotPalette.VerdictColor("expected"));
    }

    [Fact]
    public void Keys_past_the_palette_repeat_colours_with_a_dash_pattern()
    {
        var colors = new ColorAssigner();
        var keys = Enumerable.Range(0, PlotPalette.Categorical.Count + 1).Select(i => "k" + i).ToArray();
        foreach (string key in keys) colors.Color(key);

        Assert.Null(colors.Dash(keys[0]));
        Assert.Equal(colors.Color(keys[0]), colors.Color(keys[^1]));
        Assert.NotNull(colors.Dash(keys[^1]));
    }
}
