using PortAudit.Audit;
using PortAudit.Audit.Anomaly;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Report;
using PortAudit.Sources;

namespace PortAudit.Pipeline.Learning;

/// <summary>What <c>portaudit learn</c> read and wrote.</summary>
/// <param name="Models">The models written.</param>
/// <param name="Traffic">The read's counters and errors.</param>
public sealed record LearnOutcome(ModelSet Models, TrafficSummary Traffic);

/// <summary>
/// <c>portaudit learn</c>: audits a period taken as normal exactly as <c>audit</c> would (so flows fall into the same
/// role pairs), gathers the features of every flow a rule allows, fits the group models and writes the model file with
/// what it was trained on.
/// </summary>
public static class ModelLearning
{
    /// <summary>
    /// Reads <paramref name="sources"/>, fits with <paramref name="fitter"/> (thresholds <paramref name="margin"/> times the
    /// training quantile, <see cref="ModelFitter.Fit"/>) and writes <paramref name="modelPath"/>. <paramref name="localRules"/>
    /// names the site rule files <paramref name="context"/>'s catalog was loaded with, for the provenance.
    /// </summary>
    /// <exception cref="InputException">No allowed flow to learn from, or the fit or the file failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired: a model of part of the period is not written.</exception>
    public static LearnOutcome Learn(AuditContext context, IReadOnlyList<IFlowSource> sources, FlowTableOptions flowOptions,
        string inventoryName, string catalogName, IReadOnlyList<string> localRules, string modelPath, IPcaFitter fitter,
        double margin = ModelFitter.DefaultMargin, CancellationToken cancel = default)
    {
        var rhythms = new FlowRhythm();
        var training = new TrainingSet(rhythms);
        var traffic = new TrafficRun(flowOptions with { ServerPorts = context.ServerPorts }, rhythms, new FlowAuditor(context, training));
        // A period cut short by a signal is not the normal one the user named: no model of it, so the read abandons (throws)
        // at once rather than finish the flows it holds.
        traffic.Read(sources, cancel, abandon: cancel);
        var summary = traffic.Summary;
        var models = ModelFitter.Fit(training, fitter, margin);
        if (models.Count == 0)
            throw new InputException($"{string.Join(", ", sources.Select(s => s.Name))}: {training.Flows} flows a rule allows, " +
                $"fewer than the {ModelFitter.MinFlows} a model needs; learn on a longer normal period");
        var inventory = Digests.OfInput(inventoryName);
        var catalog = Digests.OfCatalog(catalogName, catalogName);
        // Flow records carry no packets: their period is that of the flows learned from, where a capture's is its packets'.
        bool packets = summary.Traffic.LastNs > 0;
        var provenance = new ModelProvenance(Digests.ToolVersion,
            sources.Select(s => Input(s.Name)).ToList(),
            packets ? summary.Traffic.FirstNs : training.FirstNs, packets ? summary.Traffic.LastNs : training.LastNs,
            inventoryName, inventory.Sha256, catalogName, catalog.Sha256, training.Flows)
        {
            LocalRules = localRules.Select(Input).ToList(),
        };
        var set = new ModelSet(provenance, training.Groups.ToDictionary(g => g.Key, g => (long)g.Value.Rows.Count, StringComparer.Ordinal), models);
        cancel.ThrowIfCancellationRequested();
        using (var output = OutputSet.OpenFile(modelPath, cancel)) ModelFile.Write(output, set);
        return new LearnOutcome(set, summary);
    }

    private static ModelInput Input(string path)
    {
        var digest = Digests.OfInput(path);
        return new ModelInput(digest.Name, digest.Sha256);
    }

    /// <summary>
    /// Says how the site rule files of an audit (<paramref name="localRules"/>) differ from those <paramref name="models"/> was
    /// learned with, by content; null when they hold the same files. Not a refusal, as another inventory is: the role pairs
    /// are the same, but flows that only one set of site rules allows were not learned as normal.
    /// </summary>
    public static string? SiteRulesDiffer(ModelSet models, string modelPath, IReadOnlyList<string> localRules)
    {
        var learned = models.Provenance.LocalRules;
        var audited = localRules.Select(Input).ToList();
        if (learned.Select(r => r.Sha256).Order(StringComparer.Ordinal).SequenceEqual(audited.Select(r => r.Sha256).Order(StringComparer.Ordinal)))
            return null;
        static string Named(IReadOnlyList<ModelInput> rules) =>
            rules.Count == 0 ? "none" : string.Join(", ", rules.Select(r => $"{r.Name} (sha256 {r.Sha256})"));
        return $"{modelPath}: the model was learned with site rules {Named(learned)}, this audit has {Named(audited)}: " +
            "flows that only one of them allows were not learned as normal; learn again with this audit's --local-rules";
    }

    /// <summary>
    /// Reads the model file at <paramref name="path"/> for an audit with the inventory at <paramref name="inventoryPath"/>.
    /// </summary>
    /// <exception cref="InputException">The file is no model, or was trained with another inventory.</exception>
    public static ModelSet Load(string path, string inventoryPath)
    {
        var models = ModelFile.Read(path);
        string? inventory = Digests.OfInput(inventoryPath).Sha256;
        if (models.Provenance.InventorySha256 != inventory)
            throw new InputException($"{path}: the model was trained with inventory {models.Provenance.Inventory} " +
                $"(sha256 {models.Provenance.InventorySha256}), not with {inventoryPath} (sha256 {inventory}): its role pairs may not be this " +
                "inventory's; learn again with this inventory");
        return models;
    }
}
