using System.Text.Json;
using PortAudit.Common;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// The model file <c>portaudit learn</c> writes and <c>audit --model</c> reads: JSON with the format version, the
/// provenance, the training flows per port group with the model each falls to, and every group model's exported
/// parameters. Reading checks what it evaluates; a file it cannot use is an <see cref="InputException"/> naming it.
/// </summary>
public static class ModelFile
{
    /// <summary>Writes <paramref name="models"/> to <paramref name="stream"/> (the caller makes the file appear whole or not at all).</summary>
    public static void Write(Stream stream, ModelSet models)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("format", ModelSet.FormatVersion);
        json.WriteString("trainer", "randomized-pca (Microsoft.ML 5.0.1, portaudit-learn)");
        WriteProvenance(json, models.Provenance);
        json.WriteStartArray("groups");
        foreach (var (key, flows) in models.TrainingFlows.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("group", key);
            json.WriteNumber("flows", flows);
            json.WriteString("model", models.ModelOf(key));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("models");
        foreach (var model in models.Models) WriteModel(json, model);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads the model file at <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file cannot be read, is no model file, or a model's arrays do not fit its features.</exception>
    public static ModelSet Read(string path)
    {
        try
        {
            ExpectedPath.RefuseDirectory(path, "model file");
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var fields = new JsonFields(path);
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format)
                || !format.TryGetInt32(out int version))
                throw new InputException($"{path}: not a portaudit model file of format {ModelSet.FormatVersion} (portaudit learn writes one)");
            // An older format's models were fitted on other features (format 2 read no DNS over TCP and no echo data):
            // judging by them would misread every flow that moved, so the file is refused with what to do.
            if (version != ModelSet.FormatVersion)
                throw new InputException($"{path}: a model file of format {version}; this portaudit reads format {ModelSet.FormatVersion}: learn the model again with this version");
            var provenance = ReadProvenance(fields, fields.Get(root, "provenance", "the file"));
            var flows = new Dictionary<string, long>(StringComparer.Ordinal);
            int index = 0;
            foreach (var g in fields.List(root, "groups", "the file"))
            {
                string where = $"groups[{index++}]";
                string group = fields.Text(g, "group", where) ?? "";
                if (!flows.TryAdd(group, fields.Whole(g, "flows", where)))
                    throw new InputException($"{path}: group {group} is listed twice");
            }
            var models = fields.List(root, "models", "the file").Select((m, i) => ReadModel(fields, m, i, path)).ToList();
            if (models.GroupBy(m => m.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new InputException($"{path}: model {twice.Key} appears {twice.Count()} times: a group has one model");
            return new ModelSet(provenance, flows, models);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read the model: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new InputException($"{path}: not a valid portaudit model file: {ex.Message}", ex);
        }
    }

    private static void WriteProvenance(Utf8JsonWriter json, ModelProvenance provenance)
    {
        json.WriteStartObject("provenance");
        json.WriteString("tool", provenance.Tool);
        WriteInputs(json, "inputs", provenance.Inputs);
        json.WriteNumber("first_ns", provenance.FirstNs);
        json.WriteNumber("last_ns", provenance.LastNs);
        json.WriteString("inventory", provenance.Inventory);
        json.WriteString("inventory_sha256", provenance.InventorySha256);
        json.WriteString("catalog", provenance.Catalog);
        json.WriteString("catalog_sha256", provenance.CatalogSha256);
        json.WriteNumber("allowed_flows", provenance.AllowedFlows);
        // Only with site rules, so a model learned without them is written as before.
        if (provenance.LocalRules.Count > 0) WriteInputs(json, "local_rules", provenance.LocalRules);
        json.WriteEndObject();
    }

    private static void WriteInputs(Utf8JsonWriter json, string name, IReadOnlyList<ModelInput> inputs)
    {
        json.WriteStartArray(name);
        foreach (var input in inputs)
        {
            json.WriteStartObject();
            json.WriteString("name", input.Name);
            json.WriteString("sha256", input.Sha256);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static ModelProvenance ReadProvenance(JsonFields fields, JsonElement p)
    {
        const string Where = "provenance";
        return new ModelProvenance(fields.Text(p, "tool", Where) ?? "", ReadInputs(fields, p, "inputs"),
            fields.Whole(p, "first_ns", Where), fields.Whole(p, "last_ns", Where),
            fields.Text(p, "inventory", Where) ?? "", fields.Text(p, "inventory_sha256", Where),
            fields.Text(p, "catalog", Where) ?? "", fields.Text(p, "catalog_sha256", Where),
            fields.Whole(p, "allowed_flows", Where))
        {
            LocalRules = p.TryGetProperty("local_rules", out _) ? ReadInputs(fields, p, "local_rules") : [],
        };
    }

    private static List<ModelInput> ReadInputs(JsonFields fields, JsonElement provenance, string name) =>
        fields.List(provenance, name, "provenance")
            .Select((i, n) => new ModelInput(fields.Text(i, "name", $"provenance.{name}[{n}]") ?? "", fields.Text(i, "sha256", $"provenance.{name}[{n}]")))
            .ToList();

    private static void WriteModel(Utf8JsonWriter json, GroupModel model)
    {
        json.WriteStartObject();
        json.WriteString("group", model.Key);
        json.WriteString("features", model.Set.Name());
        json.WriteStartArray("names");
        foreach (int feature in FlowFeatures.Of(model.Set)) json.WriteStringValue(FlowFeatures.Names[feature]);
        json.WriteEndArray();
        json.WriteNumber("flows", model.Flows);
        json.WriteNumber("threshold", model.Threshold);
        json.WriteNumber("featureThreshold", model.FeatureThreshold);
        json.WriteNumber("residual", model.Residual);
        Numbers(json, "center", model.Center);
        Numbers(json, "scale", model.Scale);
        Numbers(json, "mean", model.Mean);
        Numbers(json, "variances", model.Variances);
        json.WriteStartArray("directions");
        foreach (var direction in model.Directions) Numbers(json, null, direction);
        json.WriteEndArray();
        Numbers(json, "low", model.Low);
        Numbers(json, "high", model.High);
        Hours(json, "hours", model.Hours);
        Hours(json, "coveredHours", model.CoveredHours);
        json.WriteEndObject();
    }

    private static GroupModel ReadModel(JsonFields fields, JsonElement m, int index, string path)
    {
        string key = fields.Text(m, "group", $"models[{index}]") ?? "";
        string where = $"model {key}";
        var set = ModelFitter.SetOf(key);
        var features = FlowFeatures.Of(set);
        int dimension = features.Count;
        var names = fields.List(m, "names", where).Select(n => n.ValueKind == JsonValueKind.String ? n.GetString() : null).ToList();
        if (!names.SequenceEqual(features.Select(f => FlowFeatures.Names[f])))
            throw new InputException($"{path}: model {key}: its features are {string.Join(", ", names)}; this portaudit's {set.Name()} features are {string.Join(", ", features.Select(f => FlowFeatures.Names[f]))}: learn the model again with this version");
        double[] Vector(string name) => Checked(fields.Numbers(fields.Get(m, name, where), name, where), dimension, key, name, path);
        double[] Within(string name, double low, double high) =>
            InRange(Vector(name), low, high, key, name, path);
        var directions = fields.List(m, "directions", where)
            .Select(d => InRange(Checked(fields.Numbers(d, "directions", where), dimension, key, "directions", path), -1 - UnitSlack, 1 + UnitSlack, key, "directions", path)).ToArray();
        var variances = fields.Numbers(fields.Get(m, "variances", where), "variances", where);
        if (variances.Length != directions.Length || variances.Any(v => !(v >= MinSpread && v <= MaxSpread)))
            throw new InputException($"{path}: model {key}: one variance per direction expected, each from {MinSpread} to {MaxSpread}");
        double residual = fields.Number(m, "residual", where);
        if (!(residual >= MinSpread && residual <= MaxSpread)) throw new InputException($"{path}: model {key}: the residual must be from {MinSpread} to {MaxSpread}");
        return new GroupModel(key, set, fields.Whole(m, "flows", where), Within("center", -MaxLocation, MaxLocation), Within("scale", MinSpread, MaxSpread),
            Within("mean", -MaxLocation, MaxLocation), directions, variances, residual, fields.Number(m, "threshold", where), Vector("low"), Vector("high"))
        {
            FeatureThreshold = Positive(fields.Number(m, "featureThreshold", where), key, "featureThreshold", path),
            Hours = HoursOfDay.Mask(HourList(fields, m, "hours", where)),
            CoveredHours = HoursOfDay.Mask(HourList(fields, m, "coveredHours", where)),
        };
    }

    private static IEnumerable<int> HourList(JsonFields fields, JsonElement m, string name, string where) =>
        fields.Numbers(fields.Get(m, name, where), name, where)
            .Select(h => h is >= 0 and <= 23 && h == Math.Floor(h) ? (int)h : throw fields.Fault(where, $"'{name}' holds {h:G}, not an hour from 0 to 23"));

    private static double Positive(double value, string key, string name, string path) =>
        value > 0 && double.IsFinite(value) ? value : throw new InputException($"{path}: model {key}: {name} must be a positive number");

    private static void Hours(Utf8JsonWriter json, string name, int mask)
    {
        json.WriteStartArray(name);
        foreach (int hour in HoursOfDay.List(mask)) json.WriteNumberValue(hour);
        json.WriteEndArray();
    }

    // Bounds that keep every score finite whatever the flow: a scaled feature is a logarithm or a share (below 50), so
    // what learn writes lies far inside them (scales from 0.25, variances from 0.05, unit directions). A file with a
    // variance of 1e-320 or a direction of 1e308 scored a flow infinite, which report.json cannot hold: the audit
    // failed writing it and left no report.
    private const double MinSpread = 1e-3, MaxSpread = 1e12, MaxLocation = 1e6, UnitSlack = 1e-9;

    private static double[] InRange(double[] values, double low, double high, string key, string name, string path) =>
        values.All(v => v >= low && v <= high) ? values
            : throw new InputException($"{path}: model {key}: {name} must be from {low:G} to {high:G}, has {values.First(v => !(v >= low && v <= high)):G}");

    private static double[] Checked(double[] values, int dimension, string key, string name, string path) =>
        values.Length == dimension && values.All(double.IsFinite) ? values
            : throw new InputException($"{path}: model {key}: {name} needs {dimension} finite numbers, has {values.Length}");

    private static void Numbers(Utf8JsonWriter json, string? name, double[] values)
    {
        if (name is null) json.WriteStartArray();
        else json.WriteStartArray(name);
        foreach (double value in values) json.WriteNumberValue(value);
        json.WriteEndArray();
    }
}
