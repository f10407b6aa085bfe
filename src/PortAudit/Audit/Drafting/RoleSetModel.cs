using System.Text.Json;
using System.Text.Json.Serialization;
using MathNet.Numerics.LinearAlgebra;
using PortAudit.Common;
using PortAudit.Sources.Records;

namespace PortAudit.Audit.Drafting;

/// <summary>A host whose roles an inventory states: a training example.</summary>
/// <param name="Host">What the traffic showed of it (a host group's addresses merged).</param>
/// <param name="Roles">Its roles, in any order.</param>
public sealed record LabelledHost(HostEvidence Host, IReadOnlyList<string> Roles);

/// <summary>A candidate role set for a host with its probability and the role fits behind it.</summary>
/// <param name="Roles">The roles, in the order of the set.</param>
/// <param name="Probability">The model's probability that this is the host's exact role set.</param>
/// <param name="Fits">What each role of the set explains (roles without evidence absent).</param>
public sealed record RoleSetScore(IReadOnlyList<string> Roles, double Probability, IReadOnlyList<RoleFit> Fits)
{
    /// <summary>The set's features (<see cref="RoleSetFeatures.Names"/> order), to say why it ranked where it did.</summary>
    public IReadOnlyList<double> Features { get; init; } = [];

    /// <summary>True when some role of the set has evidence: a catalog rule explains something the host did, or what it asked for names the role (<see cref="RoleHints.AsClient"/>).</summary>
    public bool HasEvidence { get; init; }
}

/// <summary>The fitting's hyper-parameters.</summary>
/// <param name="Penalty">The L2 penalty on the weights.</param>
/// <param name="CatalogWeight">How many labelled hosts the catalog model's word on a role set counts as.</param>
public sealed record RoleSetFitOptions(double Penalty, double CatalogWeight)
{
    /// <summary>The options the model was fitted with before they were chosen by cross-validation.</summary>
    public static readonly RoleSetFitOptions Default = new(1.0, 1.0);
}

/// <summary>
/// Chooses a host's whole role set (DC + GC + DNS, say) at once: a conditional logit over candidate sets, each described
/// by <see cref="RoleSetFeatures"/>, so that the weights are shared by every role and a role no labelled inventory used
/// can still be suggested from the catalog's rules. Candidates are the sets labelled inventories used and every single
/// role with evidence; when evidence rules name roles (<see cref="RoleHints"/>), the sets holding them, and those roles
/// with a role that has evidence and implies one of them; a host that answered nothing gets sets without a role that
/// always listens.
/// Fitted by Newton's method (MathNet.Numerics) with an L2 penalty.
/// Two fits share the candidates: the full model, and a catalog model on <see cref="RoleSetFeatures.FromCatalog"/> alone,
/// which knows no role better than another by its labels. A candidate's probability is the full model's backed off to
/// the catalog model's by how few labelled hosts had the set's least known role: with n of them, n/(n + <see cref="CatalogWeight"/>)
/// of the full model and the rest of the catalog model, renormalised. Sets the catalog model scores alike share its word
/// by how many labelled hosts had each. A set with a role no inventory used (seen in one
/// deployment only, held out) is judged by what its rules explain of what the host served, not by a prior that has never
/// heard of it; a host that served nothing, by the full model alone.
/// </summary>
public sealed partial class RoleSetModel
{
    private static readonly Lazy<RoleSetModel> Shipped = new(LoadDefault);
    /// <summary>
    /// A model with <paramref name="weights"/> and <paramref name="catalogWeights"/> (one per <see cref="RoleSetFeatures.Names"/>,
    /// the catalog model's 0 but on <see cref="RoleSetFeatures.FromCatalog"/>), the role sets labelled inventories used, with counts, and what their roles' hosts did.
    /// </summary>
    public RoleSetModel(IReadOnlyList<double> weights, IReadOnlyList<double> catalogWeights, IReadOnlyList<KnownRoleSet> sets, RoleProfiles profiles, RoleSetFitOptions? options = null)
    {
        Options = options ?? RoleSetFitOptions.Default;
        Weights = weights;
        CatalogWeights = catalogWeights;
        Sets = sets;
        Profiles = profiles;
        _setCounts = sets.GroupBy(s => Key(s.Roles)).ToDictionary(g => g.Key, g => g.Sum(s => s.Count), StringComparer.Ordinal);
    }

    // Labelled hosts per set, by Key: asked for every candidate of every host.
    private readonly Dictionary<string, int> _setCounts;

    /// <summary>How many labelled hosts the catalog model's word on a role set counts as (<see cref="RoleSetFitOptions.CatalogWeight"/>).</summary>
    public double CatalogWeight => Options.CatalogWeight;

    /// <summary>The hyper-parameters the model was fitted with.</summary>
    public RoleSetFitOptions Options { get; }

    /// <summary>Feature weights of the full model, in <see cref="RoleSetFeatures.Names"/> order.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Feature weights of the catalog model, in <see cref="RoleSetFeatures.Names"/> order (0 for features from labels).</summary>
    public IReadOnlyList<double> CatalogWeights { get; }

    /// <summary>The role sets of the labelled hosts, with how many hosts had each.</summary>
    public IReadOnlyList<KnownRoleSet> Sets { get; }

    /// <summary>What the labelled hosts of each role served and initiated.</summary>
    public RoleProfiles Profiles { get; }

    /// <summary>The model shipped with PortAudit, fitted on the scenario suite and the lab (see docs/audit.md, "Drafting an inventory").</summary>
    public static RoleSetModel Default => Shipped.Value;

    /// <summary>The roles evidence rules name for <paramref name="host"/> (<see cref="RoleHints"/>): every candidate set holds them.</summary>
    public static IReadOnlyList<string> HintedRoles(HostEvidence host) => RoleHints.Of(host);

    /// <summary>Candidate role sets for <paramref name="host"/>, most probable first; at most <paramref name="top"/>.</summary>
    public IReadOnlyList<RoleSetScore> Rank(HostEvidence host, RoleEvidenceIndex index, int top = 3)
    {
        var fits = index.Fits(host).ToDictionary(f => f.Role);
        var context = Context(host, fits, index, null);
        var candidates = Candidates(context, index, null);
        var features = candidates.Select(c => RoleSetFeatures.Of(c, context)).ToList();
        var full = Softmax(features.Select(x => Score(x, Weights)).ToArray());
        var catalogScores = features.Select(x => Score(x, CatalogWeights)).ToArray();
        var catalog = SplitTiesByLabels(Softmax(catalogScores), catalogScores, candidates, context);
        var mixed = candidates.Select((c, i) => Trust(c, context) is var trust ? trust * full[i] + (1 - trust) * catalog[i] : 0).ToArray();
        double sum = mixed.Sum();
        var probabilities = mixed.Select(p => p / sum).ToArray();
        return candidates.Select((set, i) => new RoleSetScore(set, probabilities[i], set.Where(fits.ContainsKey).Select(r => fits[r]).ToList())
            {
                Features = features[i], HasEvidence = set.Any(context.Evident),
            })
            .OrderByDescending(s => s.Probability).Take(top).ToList();
    }

    /// <summary>
    /// The sets a draft may suggest for <paramref name="host"/>, most probable first, at most <paramref name="top"/>: those
    /// with evidence (<see cref="RoleSetScore.HasEvidence"/>), however common a set without any is. For a host at an
    /// address of no private use, only sets that face the Internet (<see cref="RoleEvidenceIndex.FacesInternet"/>) or
    /// hold a role its client evidence named (a federation partner): the catalog leaves other Internet hosts unlisted,
    /// in the external zone, and a web server the clients browsed is no Cisco Unity server whose rules name port 443. For
    /// a host of another organisation (<see cref="HostEvidence.OtherOrganisation"/>), only sets of roles the catalog
    /// gives other organisations' hosts (<see cref="RoleEvidenceIndex.IsPartner"/>): a partner's Edge is none of ours.
    /// </summary>
    public IReadOnlyList<RoleSetScore> Suggest(HostEvidence host, RoleEvidenceIndex index, int top = 3) =>
        Suggest(host, index, top, out _);

    /// <summary>
    /// <see cref="Suggest(HostEvidence, RoleEvidenceIndex, int)"/>, saying whether the host is on the Internet and left
    /// out by that rule alone (<paramref name="unlistedInternet"/>: some set had evidence, none faced the Internet).
    /// </summary>
    public IReadOnlyList<RoleSetScore> Suggest(HostEvidence host, RoleEvidenceIndex index, int top, out bool unlistedInternet) =>
        Admissible(host, SharedServerGuard.Prefer(host, Rank(host, index, int.MaxValue), index), index, top, out unlistedInternet);

    // The sets of the host's whole ranking a draft may suggest (Suggest): the fitting judges a ranking it has already made.
    private static IReadOnlyList<RoleSetScore> Admissible(HostEvidence host, IReadOnlyList<RoleSetScore> ranked, RoleEvidenceIndex index, int top,
        out bool unlistedInternet)
    {
        var evident = ranked.Where(s => s.HasEvidence).ToList();
        unlistedInternet = false;
        if (IpPrefix.IsPrivateUse(host.Address)) return evident.Take(top).ToList();
        var named = RoleHints.AsClient(host);
        var facing = evident.Where(s => host.OtherOrganisation ? s.Roles.All(index.IsPartner) : s.Fits.Any(index.FacesInternet) || s.Roles.Any(named.Contains))
            .Take(top).ToList();
        unlistedInternet = facing.Count == 0 && evident.Count > 0;
        return facing;
    }

    // The full model's share of a candidate's probability: n/(n + CatalogWeight) for n labelled hosts of the set's least
    // known role. A host that served nothing is judged by the full model alone: what a client initiates the catalog's
    // rules mostly leave to wildcards (any@internal to a Front End), so they name no role the labels never showed.
    private double Trust(IReadOnlyList<string> set, CandidateContext context)
    {
        if (context.Host.Served.Count == 0 || set.Count == 0) return 1;
        double known = set.Min(r => Math.Max(0, context.RoleCount(r)));
        return known / (known + CatalogWeight);
    }

    /// <summary>
    /// Fits a model on <paramref name="labelled"/> (each labelled host's own set counted out of its prior, so the prior does not
    /// give its answer away). Labels are taken with the roles they imply, as the audit takes them.
    /// </summary>
    public static RoleSetModel Fit(IReadOnlyList<LabelledHost> labelled, RoleEvidenceIndex index, RoleSetFitOptions? options = null)
    {
        options ??= RoleSetFitOptions.Default;
        var hosts = labelled.Select(h => h with { Roles = index.Closure(h.Roles) }).ToList();
        var sets = hosts.GroupBy(h => Key(h.Roles)).Select(g => new KnownRoleSet(Sorted(g.First().Roles), g.Count()))
            .OrderByDescending(s => s.Count).ThenBy(s => Key(s.Roles), StringComparer.Ordinal).ToList();
        var shape = new RoleSetModel(new double[RoleSetFeatures.Names.Length], new double[RoleSetFeatures.Names.Length], sets, RoleProfiles.Of(hosts), options);
        var examples = hosts.Select(h =>
        {
            var fits = index.Fits(h.Host).ToDictionary(f => f.Role);
            var truth = Sorted(h.Roles);
            var context = shape.Context(h.Host, fits, index, truth);
            var candidates = shape.Candidates(context, index, truth);
            var features = candidates.Select(c => RoleSetFeatures.Of(c, context)).ToList();
            return (Features: Matrix<double>.Build.DenseOfRowArrays(features), Truth: candidates.FindIndex(c => Key(c) == Key(truth)));
        }).ToList();
        var catalogOnly = Vector<double>.Build.DenseOfEnumerable(RoleSetFeatures.Names.Select(n => RoleSetFeatures.FromCatalog.Contains(n) ? 1.0 : 0.0));
        var catalogExamples = examples.Select(e => (Features: e.Features.Multiply(Matrix<double>.Build.DenseOfDiagonalVector(catalogOnly)), e.Truth)).ToList();
        return new RoleSetModel(FitWeights(examples, options.Penalty), FitWeights(catalogExamples, options.Penalty), sets, shape.Profiles, options);
    }

    /// <summary>The hyper-parameters <see cref="FitSelected"/> chooses among.</summary>
    public static readonly IReadOnlyList<RoleSetFitOptions> OptionGrid =
        [.. new[] { 0.1, 0.3, 1.0, 3.0 }.SelectMany(penalty => new[] { 0.5, 1.0, 2.0 }.Select(weight => new RoleSetFitOptions(penalty, weight)))];

    /// <summary>
    /// Fits a model on every group of <paramref name="groups"/> (deployments: hosts that share no traffic with another
    /// group's) with the options of <see cref="OptionGrid"/> that leave-one-group-out cross-validation on them found
    /// best: most held-out hosts with their exact set suggested first; on a tie, the higher held-out log-likelihood of
    /// the exact sets (a count of hosts cannot tell options apart that rank the same hosts first, however surely), then
    /// the more penalised option. The groups' labels choose the options, so a deployment judged held out must not be among them.
    /// </summary>
    public static RoleSetModel FitSelected(IReadOnlyList<IReadOnlyList<LabelledHost>> groups, RoleEvidenceIndex index)
    {
        var best = OptionGrid.Select(options =>
            {
                var folds = Enumerable.Range(0, groups.Count)
                    .Select(held => (Model: Fit(groups.Where((_, g) => g != held).SelectMany(g => g).ToList(), index, options), Held: groups[held])).ToList();
                var judged = folds.Select(f => f.Model.Judge(f.Held, index)).ToList();
                return (Options: options, Right: judged.Sum(j => j.Right), Likelihood: judged.Sum(j => j.LogLikelihood));
            })
            .OrderByDescending(o => o.Right).ThenByDescending(o => Math.Round(o.Likelihood, 6)).ThenByDescending(o => o.Options.Penalty).First().Options;
        return Fit(groups.SelectMany(g => g).ToList(), index, best);
    }

    // Probability a host's exact set is given at least this, when it is no candidate at all: the log stays finite.
    private const double Unranked = 1e-6;

    // How many of labelled get their exact set (with the roles it implies) suggested first, and the sum of the log of
    // the probability each host's exact set is given: one ranking per host serves both.
    private (int Right, double LogLikelihood) Judge(IReadOnlyList<LabelledHost> labelled, RoleEvidenceIndex index)
    {
        int right = 0;
        double logLikelihood = 0;
        foreach (var host in labelled)
        {
            string truth = Key(index.Closure(host.Roles));
            var ranked = Rank(host.Host, index, int.MaxValue);
            if (Admissible(host.Host, ranked, index, 1, out _) is [var first] && Key(index.Closure(first.Roles)) == truth) right++;
            logLikelihood += Math.Log(Math.Max(Unranked, ranked.FirstOrDefault(s => Key(index.Closure(s.Roles)) == truth)?.Probability ?? 0));
        }
        return (right, logLikelihood);
    }

    // The conditional logit's maximum penalised likelihood by Newton's method.
    private static double[] FitWeights(IReadOnlyList<(Matrix<double> Features, int Truth)> examples, double penalty)
    {
        var w = Vector<double>.Build.Dense(RoleSetFeatures.Names.Length);
        for (int iteration = 0; iteration < 50; iteration++)
        {
            var gradient = penalty * 2 * w;
            var hessian = Matrix<double>.Build.DenseIdentity(w.Count) * (penalty * 2);
            foreach (var (x, truth) in examples)
            {
                var p = Vector<double>.Build.DenseOfArray(Softmax((x * w).ToArray()));
                var mean = x.TransposeThisAndMultiply(p);
                gradient += mean - x.Row(truth);
                var weighted = Matrix<double>.Build.DenseOfColumnVectors(Enumerable.Range(0, x.ColumnCount).Select(j => x.Column(j).PointwiseMultiply(p)));
                hessian += x.TransposeThisAndMultiply(weighted) - mean.OuterProduct(mean);
            }
            var step = hessian.Solve(gradient);
            w -= step;
            if (step.L2Norm() < 1e-8) break;
        }
        return w.ToArray();
    }

    // Candidates the catalog model scores alike (the Edge's A/V service and its one-address external interface, whose
    // rules the catalog writes together) are sets it cannot tell apart: its word is on them together, and their share of
    // it is split by how many labelled hosts had each set (plus one half, as the prior counts). Split evenly, a set no
    // inventory used would take as much of the catalog's word as one inventories used and, having no labels of its own
    // to back off from, outrank it.
    private static double[] SplitTiesByLabels(double[] catalog, double[] catalogScores, IReadOnlyList<IReadOnlyList<string>> candidates, CandidateContext context)
    {
        var split = (double[])catalog.Clone();
        foreach (var tie in Enumerable.Range(0, catalog.Length).GroupBy(i => Math.Round(catalogScores[i], 9)).Where(g => g.Count() > 1))
        {
            var prior = tie.ToDictionary(i => i, i => Math.Max(0, context.SetCount(candidates[i])) + 0.5);
            double mass = tie.Sum(i => catalog[i]), labelled = prior.Values.Sum();
            foreach (int i in tie) split[i] = mass * prior[i] / labelled;
        }
        return split;
    }

    private static double Score(double[] features, IReadOnlyList<double> weights) => features.Zip(weights, (x, w) => x * w).Sum();

    /// <summary>The model as JSON: weights of both models by feature name and the known sets.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new ModelFile(Options.Penalty, Options.CatalogWeight, Named(Weights), Named(CatalogWeights), Sets.ToList(),
            new SortedDictionary<string, int>(Profiles.Counts.ToDictionary(), StringComparer.Ordinal)), ModelJson.Default.ModelFile);

    /// <summary>Reads a model written by <see cref="ToJson"/>.</summary>
    public static RoleSetModel FromJson(string json)
    {
        var file = JsonSerializer.Deserialize(json, ModelJson.Default.ModelFile) ?? throw new InvalidDataException("empty role model");
        return new RoleSetModel(RoleSetFeatures.Names.Select(n => file.Weights.GetValueOrDefault(n)).ToArray(),
            RoleSetFeatures.Names.Select(n => file.CatalogWeights.GetValueOrDefault(n)).ToArray(), file.Sets, new RoleProfiles(file.Profiles), new RoleSetFitOptions(file.Penalty, file.CatalogWeight));
    }

    private static Dictionary<string, double> Named(IReadOnlyList<double> weights) =>
        RoleSetFeatures.Names.Zip(weights).ToDictionary(x => x.First, x => Math.Round(x.Second, 6));


    private static RoleSetModel LoadDefault()
    {
        using var stream = typeof(RoleSetModel).Assembly.GetManifestResourceStream("PortAudit.Audit.Drafting.role-model.json")
                           ?? throw new InvalidOperationException("the role model is not embedded in the library");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }

    // The sets labelled inventories used and every single role with evidence; when evidence rules name roles (a KDC is
    // a domain controller, whatever else it is), the named roles alone, the sets sharing one of them, completed, and the
    // named roles with one role that has evidence and implies one of them (a Front End named by its SRV record that
    // pushes the Central Management store's replicas is lync-cms, which no other inventory may have used). A host
    // that answered nothing is a client: sets with a role that always listens are no candidates for it when others are.
    // Sets with a role the host's own word denies are none, nor those with a role drafted only when named
    // (RoleHints.OnlyWhenNamed) that no evidence rule named. A training host's own set is a candidate as it was labelled.
    // Every candidate is written shortest: [lync-front-end, lync-server] is no candidate beside [lync-front-end].
    private List<IReadOnlyList<string>> Candidates(CandidateContext context, RoleEvidenceIndex index, IReadOnlyList<string>? truth)
    {
        var (host, fits, hinted) = (context.Host, context.Fits, context.Hinted);
        var candidates = (hinted.Count == 0
                ? Sets.Select(s => s.Roles).Concat(fits.Keys.Union(context.ClientNamed).Select(r => (IReadOnlyList<string>)[r]))
                : Sets.Where(s => s.Roles.Intersect(hinted).Any()).Select(s => (IReadOnlyList<string>)s.Roles.Union(hinted).ToList()).Append(hinted)
                    .Concat(fits.Keys.Except(hinted).Where(r => index.Closure([r]).Intersect(hinted).Any()).Select(r => (IReadOnlyList<string>)[.. hinted, r])))
            .Select(index.Closure).DistinctBy(Key).ToList();
        var denied = RoleHints.Denied(host);
        if (denied.Count > 0) candidates.RemoveAll(set => set.Any(denied.Contains));
        candidates.RemoveAll(set => set.Any(r => RoleHints.OnlyWhenNamed.Contains(r) && !hinted.Contains(r)));
        if (host.Served.Count == 0 && candidates.Where(set => !set.Any(context.AlwaysListens)).ToList() is { Count: > 0 } clients)
            candidates = clients;
        if (truth is not null && candidates.All(c => Key(c) != Key(truth))) candidates.Add(truth);
        return candidates;
    }

    // What the features of the host's candidates are computed from; a training host's own labels (truth) are counted
    // out of the priors and the profiles, so that neither gives its answer away.
    private CandidateContext Context(HostEvidence host, IReadOnlyDictionary<string, RoleFit> fits, RoleEvidenceIndex index, IReadOnlyList<string>? truth) => new(
        host, fits, HintedRoles(host),
        set => _setCounts.GetValueOrDefault(Key(set)) - (truth is not null && Key(truth) == Key(set) ? 1 : 0),
        Sets.Sum(s => s.Count) - (truth is null ? 0 : 1),
        role => Sets.Where(s => s.Roles.Contains(role)).Sum(s => s.Count) - (truth?.Contains(role) == true ? 1 : 0),
        (role, service) => Profiles.Count(role, service) - (truth?.Contains(role) == true ? 1 : 0),
        index.Serverness,
        (role, other) => Sets.Where(s => s.Roles.Contains(role) && s.Roles.Contains(other)).Sum(s => s.Count) - (truth?.Contains(role) == true && truth.Contains(other) ? 1 : 0))
    {
        Minimal = index.Minimal,
        ClientNamed = RoleHints.AsClient(host),
        SetProfileCount = (set, service) => Profiles.SetCount(set, service) - (truth is not null && Key(truth) == Key(set) ? 1 : 0),
    };

    private static double[] Softmax(double[] scores)
    {
        double max = scores.Max();
        var e = scores.Select(s => Math.Exp(s - max)).ToArray();
        double sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }

    private static IReadOnlyList<string> Sorted(IEnumerable<string> roles) => roles.Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>A role set's identity: its roles sorted and joined.</summary>
    public static string Key(IEnumerable<string> roles) => string.Join(",", roles.Distinct().Order(StringComparer.Ordinal));

    private sealed record ModelFile(double Penalty, double CatalogWeight, Dictionary<string, double> Weights, Dictionary<string, double> CatalogWeights, List<KnownRoleSet> Sets, SortedDictionary<string, int> Profiles);

    // Generated at build time: the published tool is compiled ahead of time, where the serializer cannot reflect over
    // ModelFile's constructor and properties.
    [JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(ModelFile))]
    private sealed partial class ModelJson : JsonSerializerContext;
}

/// <summary>A role set labelled inventories used, and for how many hosts.</summary>
/// <param name="Roles">The roles, sorted.</param>
/// <param name="Count">Labelled hosts with exactly this set.</param>
public sealed record KnownRoleSet(IReadOnlyList<string> Roles, int Count);
