using PortAudit.Flows;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// The end of a record file's input: records begun within 1 s of the newest end read are marked cut off when the input
/// ends there, and every record goes on in the file's order, with at most <see cref="RecordInputEnd.MaxHeld"/> held.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class RecordInputEndTests
{
    private const long Millisecond = 1_000_000;

    [Fact]
    public void Records_go_on_in_the_files_order_and_those_of_its_last_second_are_cut_off()
    {
        var end = new RecordInputEnd();
        // Zeek writes a connection when it ends: a short one (id 1), then a long one begun earlier (id 2), then two of the
        // last second (3, 4) and one without a time (5).
        var taken = new List<FlowRecord>();
        foreach (var record in new[] { At(1, 10_000, 10_000), At(2, 1_000, 12_000), At(3, 20_000, 20_000), At(4, 20_400, 20_900), At(5, 0, 0) })
        {
            end.Add(record);
            while (end.TryTake(out var ready)) taken.Add(ready);
        }
        // 1 and 2 went on once the input's time passed 11 s; 3 waits while it could be in the input's last second (its
        // newest end is 20.9 s), 4 and 5 behind it.
        Assert.Equal([1, 2], taken.Select(r => (int)r.ClientPort));
        end.End();
        while (end.TryTake(out var ready)) taken.Add(ready);

        Assert.Equal([1, 2, 3, 4, 5], taken.Select(r => (int)r.ClientPort));
        Assert.Equal([false, false, true, true, false], taken.Select(r => r.CutOff));
    }

    [Fact]
    public void A_record_far_ahead_in_time_holds_no_more_than_the_bound()
    {
        var end = new RecordInputEnd();
        // A clock that jumped a year: within the window of the newest end (its own) for good, every record behind it.
        const long Year = 365L * 24 * 3600 * 1000;
        end.Add(At(1, Year, Year));
        for (int i = 1; i < RecordInputEnd.MaxHeld; i++) end.Add(At(2, 10_000, 10_000));
        Assert.False(end.TryTake(out _));

        // One more: the first goes on unmarked, and the others, none of the last second, after it.
        end.Add(At(2, 10_000, 10_000));
        var taken = new List<FlowRecord>();
        while (end.TryTake(out var ready)) taken.Add(ready);
        Assert.Equal(RecordInputEnd.MaxHeld + 1, taken.Count);
        Assert.Equal((1, false), (taken[0].ClientPort, taken[0].CutOff));
    }

    private static FlowRecord At(ushort port, long startMs, long endMs) =>
        new() { ClientPort = port, StartNs = startMs * Millisecond, EndNs = endMs * Millisecond };
}
