using PortAudit.Catalog;
using PortAudit.Fuzz;

namespace PortAudit.Tests.Fuzz;

/// <summary>
/// A short run of the harness on the real targets, as CI's share of what can run for hours: no input may crash, hang
/// or blow up memory, and every target must reach both the accepting and the refusing paths.
/// </summary>
[Trait(Tier.Name, Tier.Fuzz)]
public class FuzzSmokeTests : IDisposable
{
    private readonly string _findings = Directory.CreateTempSubdirectory("portaudit-fuzz-smoke-").FullName;

    public void Dispose() => Directory.Delete(_findings, recursive: true);

    [Fact]
    public void TwentySecondsOfMutatedCapturesInventoriesAndCatalogsFindNothing()
    {
        string repo = RepoRoot();
        var catalog = CatalogLoader.Load(Path.Combine(repo, "rules"));
        IFuzzTarget[] targets = [new CaptureTarget(repo, catalog), new InventoryTarget(repo, catalog), new CatalogTarget(repo)];
        var options = new FuzzOptions(TimeSpan.FromSeconds(20), 20261122, [], _findings, TimeSpan.FromSeconds(30), 3L << 30, repo);
        var session = new FuzzSession(options, targets, Console.Out);

        session.Run();
        var summary = new StringWriter();
        FuzzSummary.Write(session, summary);
        Console.WriteLine(summary);

        var reports = session.Findings.Saved.Select(n => File.ReadAllText(Path.Combine(_findings, n + ".txt")));
        Assert.True(session.Findings.Saved.Count == 0, "findings:\n" + string.Join("\n---\n", reports));
        foreach (var (name, tally) in session.Tallies)
        {
            Assert.True(tally.Inputs >= 10, $"{name}: only {tally.Inputs} inputs in 20 s");
            Assert.True(tally.Rejected > 0, $"{name}: no mutation was refused; are the mutations reaching the readers?");
        }
        Assert.Equal(3, session.Tallies.Count);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PortAudit.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root was not found above " + AppContext.BaseDirectory);
    }
}
