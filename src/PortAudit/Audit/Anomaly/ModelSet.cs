using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// A model file's content: its provenance, the flows per port group of the training, and the group models. Each flow
/// is judged by the most specific model there is for it: its role pair and port, else its role pair, else the pooled one.
/// </summary>
public sealed class ModelSet
{
    private readonly Dictionary<string, GroupModel> _byKey;

    /// <summary>Creates the set.</summary>
    public ModelSet(ModelProvenance provenance, IReadOnlyDictionary<string, long> trainingFlows, IReadOnlyList<GroupModel> models)
    {
        Provenance = provenance;
        TrainingFlows = trainingFlows;
        Models = models;
        _byKey = models.ToDictionary(m => m.Key, StringComparer.Ordinal);
    }

    /// <summary>Version of the model file format this reads and writes (3: DNS over TCP in the dns set, ICMP echo flows in a set of their own).</summary>
    public const int FormatVersion = 3;

    /// <summary>What the models were trained on.</summary>
    public ModelProvenance Provenance { get; }

    /// <summary>Allowed training flows per port group (<see cref="GroupKey.Port"/>), those without a model of their own too.</summary>
    public IReadOnlyDictionary<string, long> TrainingFlows { get; }

    /// <summary>Every group model, by key order.</summary>
    public IReadOnlyList<GroupModel> Models { get; }

    /// <summary>The model that judges <paramref name="flow"/> in <paramref name="set"/>, or null when none covers it.</summary>
    public GroupModel? For(Flow flow, FlowVerdict verdict, FeatureSet set) =>
        _byKey.GetValueOrDefault(GroupKey.Port(flow, verdict, set))
        ?? _byKey.GetValueOrDefault(GroupKey.AnyPort(verdict, set))
        ?? _byKey.GetValueOrDefault(GroupKey.Pooled(set));

    /// <summary>The model a port group's flows fall to ("own", the pair's, the pooled one), for the summary.</summary>
    public string? ModelOf(string portKey) =>
        _byKey.ContainsKey(portKey) ? portKey
        : _byKey.ContainsKey(GroupKey.PairOf(portKey)) ? GroupKey.PairOf(portKey)
        : _byKey.ContainsKey(GroupKey.PooledOf(portKey)) ? GroupKey.PooledOf(portKey)
        : null;
}
