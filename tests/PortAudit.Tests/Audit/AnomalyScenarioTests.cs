using System.Text.Json;
using Xunit.Abstractions;
using PortAudit.Tests.Cli;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Audit;

/// <summary>
/// <c>portaudit learn</c> then <c>audit --model</c> as processes, on the anomaly site (<see cref="AnomalySite"/>):
/// learned on three normal hours, the audit of two later hours with four planted flows that every port rule allows
/// carries each plant in an <c>anomalous</c> finding and flags at most 2% of the normal flows.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class AnomalyScenarioTests : IClassFixture<AnomalyScenarioTests.Site>
{
    private readonly Site _site;
    private readonly ITestOutputHelper _output;

    public AnomalyScenarioTests(Site site, ITestOutputHelper output)
    {
        _site = site;
        _output = output;
    }

    [Fact]
    public void EveryPlantIsAnAnomalousFinding()
    {
        var flagged = _site.AnomalousFlowIds();
        foreach (var plant in AnomalySite.Plants)
        {
            var ids = plant.ClientPorts.Select(_site.FlowIdByClientPort).ToList();
            int caught = ids.Count(flagged.Contains);
            _output.WriteLine($"{plant.What}: {caught} of {ids.Count} flows in anomalous findings");
            Assert.True(caught > 0, $"{plant.What} (flows {string.Join(", ", ids.Take(3))}...) is in no anomalous finding");
        }
    }

    [Fact]
    public void AtMostTwoPercentOfNormalFlowsAreFlagged()
    {
        var plants = AnomalySite.Plants.SelectMany(p => p.ClientPorts).Select(_site.FlowIdByClientPort).ToHashSet();
        // Flows counted in anomalous findings less the plants' among the ids they list (the first hundred of each): never fewer than the truth.
        long normalFlagged = _site.AnomalousFlows() - _site.AnomalousFlowIds().Count(plants.Contains);
        long normal = _site.ExpectedFlows() - plants.Count;
        Assert.True(normal > 1000, $"only {normal} normal allowed flows");
        _output.WriteLine($"{normalFlagged} of {normal} normal allowed flows flagged ({100.0 * normalFlagged / normal:F2}%)");
        foreach (var finding in _site.Findings().Where(f => f.GetProperty("kind").GetString() == "anomalous"))
            _output.WriteLine($"{finding.GetProperty("severity")} {finding.GetProperty("clientHost")} -> {finding.GetProperty("serverHost")}:" +
                $"{finding.GetProperty("ports")} {finding.GetProperty("evidence").GetProperty("flows")} flows {finding.GetProperty("anomaly")}");
        Assert.True(normalFlagged <= 0.02 * normal, $"{normalFlagged} of {normal} normal flows flagged");
    }

    [Fact]
    public void AnomalousFindingsCarryScoreThresholdAndDepartures()
    {
        var finding = _site.Findings().First(f => f.GetProperty("kind").GetString() == "anomalous");
        var anomaly = finding.GetProperty("anomaly");
        Assert.True(anomaly.GetProperty("score").GetDouble() > anomaly.GetProperty("threshold").GetDouble());
        Assert.Contains(">", anomaly.GetProperty("model").GetString());
        var departure = anomaly.GetProperty("departures")[0];
        Assert.Contains(departure.GetProperty("feature").GetString(), PortAudit.Audit.Anomaly.FlowFeatures.Names);
        Assert.True(departure.GetProperty("normalLow").GetDouble() <= departure.GetProperty("normalHigh").GetDouble());
        Assert.NotEmpty(finding.GetProperty("evidence").GetProperty("flowIds").EnumerateArray());
    }

    [Fact]
    public void ThePagesExplainTheScoreAndThePairPlotsDrawAnomalousFlowsApart()
    {
        string markdown = File.ReadAllText(Path.Combine(_site.Out, "report.md"));
        string html = File.ReadAllText(Path.Combine(_site.Out, "report.html"));
        Assert.Contains(" over threshold ", markdown);
        Assert.Contains("(normal ", markdown);
        // The plant's band in its pair's timeline legend, and its bytes as a bar segment of their own.
        Assert.Contains("class=\"legend-label\">anomalous<", html);
        Assert.Contains("389/tcp · anomalous: ", html);
    }

    [Fact]
    public void TheReportNamesTheModelAndTheModelItsTraining()
    {
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_site.Out, "report.json")));
        string text = File.ReadAllText(Path.Combine(_site.Out, "report.json"));
        Assert.Contains("\"model\"", text);
        Assert.Contains(Path.GetFileName(_site.Model), text);
        var models = report.RootElement.GetProperty("summary").GetProperty("anomalyModels");
        Assert.Equal(0, models.GetProperty("unjudged").GetInt64());
        Assert.Equal(_site.ExpectedFlows(), models.GetProperty("judged").EnumerateObject().Sum(s => s.Value.GetInt64()));
        Assert.Equal(0, models.GetProperty("judged").GetProperty("bytes-only").GetInt64());
        using var model = JsonDocument.Parse(File.ReadAllBytes(_site.Model));
        var provenance = model.RootElement.GetProperty("provenance");
        Assert.Equal(64, provenance.GetProperty("inputs")[0].GetProperty("sha256").GetString()!.Length);
        Assert.Equal(64, provenance.GetProperty("inventory_sha256").GetString()!.Length);
        Assert.True(provenance.GetProperty("last_ns").GetInt64() - provenance.GetProperty("first_ns").GetInt64() > 2 * 3600e9);
        Assert.Contains(model.RootElement.GetProperty("groups").EnumerateArray(),
            g => g.GetProperty("group").GetString() == "workstation>domain-controller+dns-server|tcp/389|timing" && g.GetProperty("flows").GetInt64() > 100);
    }

    [Fact]
    public void AWiderMarginNeverFlagsMoreAndTheFiguresPerMarginArePrinted()
    {
        var plants = AnomalySite.Plants.Select(p => p.ClientPorts.Select(_site.FlowIdByClientPort).ToHashSet()).ToList();
        var allPlants = plants.SelectMany(p => p).ToHashSet();
        long previous = long.MaxValue;
        _output.WriteLine("margin | plants caught | plant flows flagged | normal allowed flows flagged");
        foreach (double margin in new[] { 1.0, 1.25, 1.5, 2, 3 })
        {
            string name = margin.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            string model = _site.PathOf($"model-{name}.json"), output = _site.PathOf($"report-{name}");
            var learn = CliProcess.Run($"learn \"{_site.Normal}\" --inventory \"{_site.Inventory}\" --model \"{model}\" --margin {name}", timeout: TimeSpan.FromMinutes(5));
            Assert.True(learn.ExitCode == 0, learn.StandardError);
            var audit = CliProcess.Run($"audit \"{_site.AuditCapture}\" --inventory \"{_site.Inventory}\" --model \"{model}\" --out \"{output}\" --fail-on none",
                timeout: TimeSpan.FromMinutes(5));
            Assert.True(audit.ExitCode == 0, audit.StandardError);
            var ids = Site.AnomalousInFlows(output);
            long normal = ids.Count(id => !allPlants.Contains(id));
            _output.WriteLine($"{name} | {plants.Count(p => p.Overlaps(ids))} / {plants.Count} | {ids.Count(allPlants.Contains)} / {allPlants.Count} | " +
                $"{normal} / {_site.ExpectedFlows() - allPlants.Count}");
            Assert.True(ids.Count <= previous, $"margin {name} flags {ids.Count} flows, more than a narrower one ({previous})");
            Assert.Equal(Site.Anomalous(output).Flows, ids.Count); // flows.jsonl marks exactly the flows the findings count
            previous = ids.Count;
        }
    }

    [Fact]
    public void AModelOfAnotherInventoryIsRefused()
    {
        string other = _site.Write("other.yaml", AnomalySite.Inventory + "\n# another site\n");
        var result = CliProcess.Run($"audit \"{_site.AuditCapture}\" --inventory \"{other}\" --model \"{_site.Model}\" --out \"{_site.PathOf("refused")}\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("trained with inventory", result.StandardError);
        Assert.Contains(_site.Model, result.StandardError);
    }

    /// <summary>The site learned and audited once for the class.</summary>
    public sealed class Site : IDisposable
    {
        private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
        private readonly Dictionary<int, long> _idByClientPort = [];
        private readonly long _expected;

        public Site()
        {
            const long Monday = 1_795_420_800;
            string normal = Normal = Scratch.Write("normal.pcap", AnomalySite.NormalPeriod(Monday, 3, seed: 1));
            AuditCapture = Scratch.Write("audit.pcap", AnomalySite.AuditPeriod(Monday + 4 * 3600, seed: 2));
            Inventory = Scratch.Write("site.yaml", System.Text.Encoding.UTF8.GetBytes(AnomalySite.Inventory));
            Model = Path.Combine(Scratch.FullName, "site-model.json");
            Out = Path.Combine(Scratch.FullName, "report");
            var learn = CliProcess.Run($"learn \"{normal}\" --inventory \"{Inventory}\" --model \"{Model}\"", timeout: Limit);
            Assert.True(learn.ExitCode == 0, learn.StandardError);
            var audit = CliProcess.Run($"audit \"{AuditCapture}\" --inventory \"{Inventory}\" --model \"{Model}\" --out \"{Out}\" --fail-on none", timeout: Limit);
            Assert.True(audit.ExitCode == 0, audit.StandardError);
            foreach (string line in File.ReadLines(Path.Combine(Out, "flows.jsonl")))
            {
                using var flow = JsonDocument.Parse(line);
                var root = flow.RootElement;
                _idByClientPort[root.GetProperty("clientPort").GetInt32()] = root.GetProperty("id").GetInt64();
                if (root.GetProperty("verdict").GetString() == "expected") _expected++;
            }
        }

        private ScratchDirectory Scratch { get; } = new("anomaly-site");

        /// <summary>Writes <paramref name="text"/> into the scratch directory; returns the path.</summary>
        public string Write(string name, string text) => Scratch.Write(name, System.Text.Encoding.UTF8.GetBytes(text));

        /// <summary>A path in the scratch directory.</summary>
        public string PathOf(string name) => Path.Combine(Scratch.FullName, name);

        public string AuditCapture { get; }

        public string Normal { get; }

        public string Inventory { get; }

        public string Model { get; }

        public string Out { get; }

        public long FlowIdByClientPort(int port) => _idByClientPort[port];

        public long ExpectedFlows() => _expected;

        public List<JsonElement> Findings()
        {
            using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Out, "report.json")));
            return report.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.Clone()).ToList();
        }

        /// <summary>Flows counted in the anomalous findings of the report in <paramref name="output"/>, and the ids they list.</summary>
        public static (long Flows, HashSet<long> Ids) Anomalous(string output)
        {
            using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "report.json")));
            var findings = report.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "anomalous").ToList();
            return (findings.Sum(f => f.GetProperty("evidence").GetProperty("flows").GetInt64()),
                findings.SelectMany(f => f.GetProperty("evidence").GetProperty("flowIds").EnumerateArray()).Select(id => id.GetInt64()).ToHashSet());
        }

        /// <summary>The ids of the flows flows.jsonl of <paramref name="output"/> notes as anomalous.</summary>
        public static HashSet<long> AnomalousInFlows(string output) =>
            File.ReadLines(Path.Combine(output, "flows.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
                .Where(f => f.GetProperty("note").GetString()?.StartsWith(PortAudit.Report.Records.AuditedFlowWriter.AnomalousNote, StringComparison.Ordinal) == true)
                .Select(f => f.GetProperty("id").GetInt64()).ToHashSet();

        public HashSet<long> AnomalousFlowIds() => Anomalous().SelectMany(f => f.GetProperty("evidence").GetProperty("flowIds").EnumerateArray())
            .Select(id => id.GetInt64()).ToHashSet();

        public long AnomalousFlows() => Anomalous().Sum(f => f.GetProperty("evidence").GetProperty("flows").GetInt64());

        private IEnumerable<JsonElement> Anomalous() => Findings().Where(f => f.GetProperty("kind").GetString() == "anomalous");

        public void Dispose() => Scratch.Dispose();
    }
}
