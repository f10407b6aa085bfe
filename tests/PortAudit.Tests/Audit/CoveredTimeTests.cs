using PortAudit.Flows;

namespace PortAudit.Tests.Audit;

/// <summary>The time inputs cover: per input first to last, joined as a union, so neither gaps nor overlaps count.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class CoveredTimeTests
{
    private const long Second = 1_000_000_000, Year = 365L * 24 * 3600 * Second;

    [Fact]
    public void InputsYearsApartCoverTheSumOfTheirSpans()
    {
        var time = new CoveredTime();
        time.Add(1, 0, Second / 2);
        time.Add(1, Second / 4, Second);
        time.Add(2, 13 * Year, 13 * Year + Second);

        Assert.Equal(2 * Second, time.CoveredNs);
        Assert.Equal(0, time.FirstNs);
        Assert.Equal(13 * Year + Second, time.LastNs);
    }

    [Fact]
    public void OverlappingInputsCountTheirCommonTimeOnce()
    {
        var time = new CoveredTime();
        // Two sensors watching the same hour, one starting ten minutes later, and a third inside the first.
        time.Add(1, 0, 3600 * Second);
        time.Add(2, 600 * Second, 4200 * Second);
        time.Add(3, 60 * Second, 120 * Second);

        Assert.Equal(4200 * Second, time.CoveredNs);
    }

    [Fact]
    public void NothingAddedCoversNothing()
    {
        var time = new CoveredTime();

        Assert.False(time.Any);
        Assert.Equal(0, time.CoveredNs);
        Assert.Equal((0L, 0L), (time.FirstNs, time.LastNs));
    }
}
