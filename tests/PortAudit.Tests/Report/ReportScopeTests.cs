using PortAudit.Report;

namespace PortAudit.Tests.Report;

/// <summary>A report's title names what was audited within a tab's width, however many inputs there were.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ReportScopeTests
{
    private static AuditInputs Run(IReadOnlyList<string> captures, long firstNs = 0, long lastNs = 0) =>
        new(captures, firstNs, lastNs, "/etc/portaudit/site-inventory.yaml", "rules", null!);

    [Fact]
    public void One_capture_is_named()
    {
        Assert.Equal("lab.pcapng", ReportScope.Of(Run(["/data/lab.pcapng"])));
    }

    [Fact]
    public void Twenty_captures_are_counted_with_their_span_and_inventory_within_the_bound()
    {
        var captures = Enumerable.Range(1, 20).Select(i => $"/data/deployment-capture-of-the-front-end-{i:D2}.pcapng").ToList();
        long first = new DateTimeOffset(2026, 11, 21, 7, 20, 49, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        long last = new DateTimeOffset(2026, 11, 22, 9, 5, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;

        string scope = ReportScope.Of(Run(captures, first, last));

        Assert.Equal("20 inputs, 2026-11-21 07:20 to 2026-11-22 09:05 UTC, inventory site-inventory.yaml", scope);
        Assert.True(("PortAudit report: " + scope).Length <= 120);
    }

    [Fact]
    public void A_long_name_keeps_its_head_and_tail()
    {
        string scope = ReportScope.Of(Run([new string('a', 150) + "-night-07.pcapng"]));

        Assert.Equal(ReportScope.MaxLength, scope.Length);
        Assert.StartsWith("aaaa", scope);
        Assert.EndsWith("-night-07.pcapng", scope);
        Assert.Contains('…', scope);
    }
}
