using PortAudit.Audit.Anomaly;
using PortAudit.Common;

namespace PortAudit.Tests.Audit;

/// <summary>The model file of <c>portaudit learn</c>: what is written reads back to the same scores, and a file that cannot be used is refused naming it.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AnomalyModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("anomaly-model").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GroupModel Ldap() => new("workstation>domain-controller|tcp/389|counters", FeatureSet.Counters, 120,
        Center: [6, 8, 1.5, 2, 0.1, 0.3, Math.Log(1.05), 0], Scale: [0.5, 1, 0.25, 0.3, 0.25, 0.1, 0.25, 0.25], Mean: [0, 0, 0, 0, 0, 0, 0, 0],
        Directions: [[0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0]], Variances: [2], Residual: 1, Threshold: 3,
        Low: [200, 800, 3, 4, 0, 0.1, 0.5, 0], High: [900, 9000, 8, 10, 1, 0.5, 1, 0])
    {
        FeatureThreshold = 6,
        Hours = HoursOfDay.Mask([8, 9]),
        CoveredHours = HoursOfDay.Mask([8, 9, 10]),
    };

    private static ModelSet Set(params GroupModel[] models) => new(
        new ModelProvenance("test", [new ModelInput("normal.pcap", new string('a', 64))], 1, 2, "site.yaml", new string('b', 64), "rules", null, 120),
        new Dictionary<string, long> { ["workstation>domain-controller|tcp/389|counters"] = 120 }, models);

    [Fact]
    public void AModelReadsBackToTheSameScoresAndProvenance()
    {
        string path = Path.Combine(_dir, "model.json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        var read = ModelFile.Read(path);
        double[] large = [400, 8_000_000, 5, 600, 20, 0.0001, 1, 1];
        Assert.Equal(Ldap().Score(large), read.Models[0].Score(large), 9);
        Assert.Equal(Ldap().Judge(large), read.Models[0].Judge(large));
        Assert.Equal(Ldap().Hours, read.Models[0].Hours);
        Assert.Equal(Ldap().CoveredHours, read.Models[0].CoveredHours);
        Assert.Equal("site.yaml", read.Provenance.Inventory);
        Assert.Equal(new string('b', 64), read.Provenance.InventorySha256);
        Assert.Equal(120, read.TrainingFlows["workstation>domain-controller|tcp/389|counters"]);
    }

    [Fact]
    public void SiteRulesAreWrittenOnlyWhenTheModelHasThemAndReadBack()
    {
        string without = Path.Combine(_dir, "without.json"), with = Path.Combine(_dir, "with.json");
        var set = Set(Ldap());
        var site = new ModelInput("site.yaml", new string('c', 64));
        using (var file = File.Create(without)) ModelFile.Write(file, set);
        using (var file = File.Create(with)) ModelFile.Write(file, new ModelSet(set.Provenance with { LocalRules = [site] }, set.TrainingFlows, set.Models));

        Assert.DoesNotContain("local_rules", File.ReadAllText(without));
        Assert.Empty(ModelFile.Read(without).Provenance.LocalRules);
        Assert.Equal([site], ModelFile.Read(with).Provenance.LocalRules);
    }

    [Fact]
    public void AFlowFarFromItsGroupScoresAboveOneNearItsCentre()
    {
        var model = Ldap();
        double near = model.Score([Math.Exp(6) - 1, Math.Exp(8) - 1, Math.Exp(1.5) - 1, Math.Exp(2) - 1, Math.Exp(0.1) - 1, 0.3, 1, 0]);
        double far = model.Score([400, 8_000_000, 5, 600, 20, 0.0001, 1, 0]);
        Assert.True(near < 0.01, $"near {near}");
        Assert.True(far > 3 * model.Threshold, $"far {far}");
        Assert.Equal("bytes-to-client", model.Departures([400, 8_000_000, 5, 30, 1, 0.0001, 1, 0], 1)[0].Feature);
    }

    [Fact]
    public void OneFeatureFarOutIsJudgedByItsDepartureWhereTheScoreSpreadsIt()
    {
        // A group whose flows spread over many directions (a large residual), as real ones do.
        var model = Ldap() with { Residual = 40 };
        // Ordinary in every feature but the host pair's beat: starts to the second (variation 0), 12 deviations out.
        double[] beat = [Math.Exp(6) - 1, Math.Exp(8) - 1, Math.Exp(1.5) - 1, Math.Exp(2) - 1, Math.Exp(0.1) - 1, 0.3, 0, 0];
        Assert.True(model.Score(beat) < model.Threshold, $"score {model.Score(beat)}");
        var judgement = model.Judge(beat);
        Assert.True(judgement.Anomalous);
        Assert.Equal(Judgement.Feature, judgement.Statistic);
        Assert.Equal("pair-start-variation", model.Departures(beat, 1)[0].Feature);
    }

    [Fact]
    public void AFileThatIsNoModelIsRefusedNamingIt()
    {
        string path = Path.Combine(_dir, "report.json");
        File.WriteAllText(path, "{\"findings\": []}");
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.Equal($"{path}: not a portaudit model file of format 3 (portaudit learn writes one)", error.Message);
    }

    [Fact]
    public void AModelOfAnOlderFormatIsRefusedWithWhatToDo()
    {
        // Format 2 judged DNS over TCP and ICMP echo flows on `timing`; its models would misjudge them now.
        string path = Path.Combine(_dir, "old.json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"format\": 3", "\"format\": 2"));
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.Equal($"{path}: a model file of format 2; this portaudit reads format 3: learn the model again with this version", error.Message);
    }

    [Fact]
    public void AModelWhoseFeatureNamesAreNotThisVersionsIsRefused()
    {
        // The names were written but never read: a model of other features would have been scored feature by feature
        // against the wrong values.
        string path = Path.Combine(_dir, "names.json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"duration-s\"", "\"data-gap-max-s\""));
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.StartsWith($"{path}: model workstation>domain-controller|tcp/389|counters: its features are bytes-to-server, bytes-to-client, packets-to-server, packets-to-client, data-gap-max-s,", error.Message);
        Assert.EndsWith("learn the model again with this version", error.Message);
    }

    [Fact]
    public void ADirectoryGivenAsTheModelIsSaidToBeOne()
    {
        var error = Assert.Throws<InputException>(() => ModelFile.Read(_dir));
        Assert.Equal($"{_dir}: model file expected, found a directory", error.Message);
    }

    [Fact]
    public void AModelWhoseVectorsDoNotFitItsFeaturesIsRefused()
    {
        string path = Path.Combine(_dir, "short.json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), @"""center"": \[\s*6,", "\"center\": ["));
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.Contains("model workstation>domain-controller|tcp/389|counters: center needs 8 finite numbers, has 7", error.Message);
    }

    [Fact]
    public void AModelListedTwiceIsRefusedNotACrash()
    {
        // A dictionary built from the list threw ArgumentException, which ended the audit as an internal error.
        string path = Path.Combine(_dir, "twice.json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        root["models"]!.AsArray().Add(root["models"]![0]!.DeepClone());
        File.WriteAllText(path, root.ToJsonString());
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.Equal($"{path}: model workstation>domain-controller|tcp/389|counters appears 2 times: a group has one model", error.Message);
    }

    [Theory]
    [InlineData("variances", "[1e-320]", "one variance per direction expected, each from 0.001 to 1000000000000")]
    [InlineData("scale", "[0, 0, 0, 0, 0, 0, 0, 0]", "scale must be from 0.001 to 1000000000000, has 0")]
    [InlineData("center", "[1e308, 8, 1.5, 2, 0.1, 0.3, 0, 0]", "center must be from -1000000 to 1000000, has 1E+308")]
    public void NumbersThatWouldScoreAFlowInfiniteOrNeverAreRefused(string name, string values, string message)
    {
        // A variance of 1e-320 or a centre of 1e308 scored a flow infinite: report.json cannot hold it, and the audit
        // ended writing it with no report. A scale of 0 divided every departure by zero: no flow was ever anomalous.
        string path = Path.Combine(_dir, name + ".json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), $@"""{name}"": \[[^\]]*\]", $"\"{name}\": {values}"));
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.Equal($"{path}: model workstation>domain-controller|tcp/389|counters: {message}", error.Message);
    }

    [Theory]
    [InlineData("provenance", "first_ns", "provenance: missing field 'first_ns'")]
    [InlineData("model", "residual", "model workstation>domain-controller|tcp/389|counters: missing field 'residual'")]
    [InlineData("model", "hours", "model workstation>domain-controller|tcp/389|counters: missing field 'hours'")]
    [InlineData("group", "flows", "groups[0]: missing field 'flows'")]
    public void AMissingFieldIsNamedWithWhereItWasExpected(string holder, string field, string message)
    {
        // System.Text.Json's "The given key was not present in the dictionary" named neither the field nor its place.
        string path = Path.Combine(_dir, field + ".json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var parent = holder switch
        {
            "provenance" => root["provenance"]!.AsObject(),
            "model" => root["models"]![0]!.AsObject(),
            _ => root["groups"]![0]!.AsObject(),
        };
        parent.Remove(field);
        File.WriteAllText(path, root.ToJsonString());
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.Equal($"{path}: {message}", error.Message);
    }

    [Theory]
    [InlineData("\"residual\": \"0.5\"", "'residual' must be a number")]
    [InlineData("\"hours\": [25]", "'hours' holds 25, not an hour from 0 to 23")]
    [InlineData("\"low\": [\"x\"]", "'low' item 0 must be a number")]
    [InlineData("\"flows\": 1.5", "'flows' must be a whole number")]
    public void AFieldOfTheWrongKindIsNamed(string replacement, string problem)
    {
        string path = Path.Combine(_dir, "kind.json");
        using (var file = File.Create(path)) ModelFile.Write(file, Set(Ldap()));
        string name = replacement[1..replacement.IndexOf('"', 1)];
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        root["models"]![0]![name] = System.Text.Json.Nodes.JsonNode.Parse(replacement[(replacement.IndexOf(':') + 1)..]);
        File.WriteAllText(path, root.ToJsonString());
        var error = Assert.Throws<InputException>(() => ModelFile.Read(path));
        Assert.Equal($"{path}: model workstation>domain-controller|tcp/389|counters: {problem}", error.Message);
    }
}
