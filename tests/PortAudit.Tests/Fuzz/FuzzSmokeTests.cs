using PortAudit.Catalog;
using PortAudit.Fuzz;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Fuzz;

/// <summary>
/// A short run of the harness on the real targets, as CI's share of what can run for hours: a fixed seed and a fixed
/// number of inputs per target, so the run is the same on every machine however loaded; no input may crash, hang or
/// blow up memory, and the mutations must reach the readers' refusing paths.
/// </summary>
[Trait(Tier.Name, Tier.Fuzz)]
public class FuzzSmokeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Findings => _dir.Root;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheYamlTargetsAcceptTheirSeedsUnmutated()
    {
        // Otherwise every mutation is refused for the wrong reason and the fuzzing reaches nothing.
        string repo = SharedData.InRepository("");
        var catalog = CatalogLoader.Load(Path.Combine(repo, "rules"));
        IFuzzTarget[] targets = [new InventoryTarget(repo, catalog), new CatalogTarget(repo)];
        foreach (var target in targets)
        {
            Assert.NotEmpty(target.Seeds);
            foreach (var seed in target.Seeds)
                Assert.Equal(FuzzVerdict.Accepted, target.Run(seed, seed.Bytes, Findings));
        }
    }

    [Fact]
    public void FortyMutatedInputsOfEachTargetFindNothing()
    {
        string repo = SharedData.InRepository("");
        var catalog = CatalogLoader.Load(Path.Combine(repo, "rules"));
        var captures = new CaptureTarget(repo, catalog);
        IFuzzTarget[] targets = [captures, new DraftTarget(captures, catalog), new InventoryTarget(repo, catalog), new CatalogTarget(repo)];
        var options = new FuzzOptions(TimeSpan.FromMinutes(10), 20261122, [], Findings, TimeSpan.FromSeconds(30), 3L << 30, repo, InputsPerTarget: 40);
        var session = new FuzzSession(options, targets, Console.Out);

        session.Run();
        var summary = new StringWriter();
        FuzzSummary.Write(session, summary);
        Console.WriteLine(summary);

        var reports = session.Findings.Saved.Select(n => File.ReadAllText(Path.Combine(Findings, n + ".txt")));
        Assert.True(session.Findings.Saved.Count == 0, "findings:\n" + string.Join("\n---\n", reports));
        foreach (var (name, tally) in session.Tallies)
        {
            Assert.Equal(40, tally.Inputs);
            Assert.True(tally.Rejected > 0, $"{name}: no mutation was refused; are the mutations reaching the readers?");
        }
        // A target without seeds is skipped with a note.
        Assert.Equal(targets.Count(t => t.Seeds.Count > 0), session.Tallies.Count);
        Assert.True(session.Tallies.Count >= 3);
    }
}
