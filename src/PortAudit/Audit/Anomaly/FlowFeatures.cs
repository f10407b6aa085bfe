using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Audit.Anomaly;

/// <summary>Which features a flow's source carries: packet captures and most flow records count packets, some logs only bytes.</summary>
public enum FeatureSet
{
    /// <summary>A packet capture's DNS flow: the timing features and what its queries asked for.</summary>
    Dns,

    /// <summary>A packet capture's flow that carried data: the counters and its <see cref="Rhythm"/>.</summary>
    Timing,

    /// <summary>A packet capture's ICMP echo flow: the timing features and what its requests carried (<see cref="EchoPayloads"/>).</summary>
    Echo,

    /// <summary>Bytes and packets each way, duration and the share of bytes sent by the client.</summary>
    Counters,

    /// <summary>A source without packet counts: bytes each way, duration and the share sent by the client.</summary>
    BytesOnly,
}

/// <summary>
/// The features the anomaly models judge a flow on, taken from what the flow table keeps of every flow. Counts and the
/// duration enter as log(1 + x), so that a flow ten times its pair's usual size departs as far whether the usual is a
/// kilobyte or a megabyte. A source that lacks a feature is judged by the models of its own <see cref="FeatureSet"/>:
/// a missing count is never read as zero.
/// </summary>
public static class FlowFeatures
{
    /// <summary>Feature names as model files and reports write them, in vector order.</summary>
    public static readonly string[] Names = ["bytes-to-server", "bytes-to-client", "packets-to-server", "packets-to-client", "duration-s", "client-byte-share",
        "payload-bytes-mean", "data-gap-max-s", "data-gap-variation", "dns-queries", "dns-name-length", "dns-name-entropy",
        "tls-without-sni", "pair-start-variation", "off-hours", "echo-size-variation", "echo-repeat"];

    // A feature keeps its index for good: model files name their features (ModelFile checks the names), so new ones
    // are appended.
    private const int Share = 5, Variation = 8, Entropy = 11, WithoutSni = 12, PairVariation = 13, OffHours = 14, EchoSizes = 15, EchoRepeat = 16;
    // Every source carries start times, so the host pair's beat and the hour count in every set.
    private static readonly int[] DnsFeatures = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, PairVariation, OffHours];
    private static readonly int[] TimingFeatures = [0, 1, 2, 3, 4, 5, 6, 7, 8, WithoutSni, PairVariation, OffHours];
    private static readonly int[] EchoFeatures = [0, 1, 2, 3, 4, 5, 6, 7, 8, EchoSizes, EchoRepeat, PairVariation, OffHours];
    private static readonly int[] CounterFeatures = [0, 1, 2, 3, 4, 5, PairVariation, OffHours];
    private static readonly int[] ByteFeatures = [0, 1, 4, 5, PairVariation, OffHours];

    /// <summary>The name of <paramref name="set"/> in model files: dns, timing, echo, counters, bytes-only.</summary>
    public static string Name(this FeatureSet set) => set switch
    {
        FeatureSet.Dns => "dns",
        FeatureSet.Timing => "timing",
        FeatureSet.Echo => "echo",
        FeatureSet.Counters => "counters",
        _ => "bytes-only",
    };

    /// <summary>The set a model file names (<see cref="Name"/>); null for an unknown name.</summary>
    public static FeatureSet? Parse(string name) => Enum.GetValues<FeatureSet>().Cast<FeatureSet?>().FirstOrDefault(s => s!.Value.Name() == name);

    /// <summary>
    /// The feature set <paramref name="flow"/>'s source carries: with a <paramref name="rhythm"/> (packets read, data
    /// seen) the timing too, for a DNS flow whose queries were read the names, for an ICMP echo flow whose requests were
    /// read what they carried; without a packet counted either way, bytes only.
    /// </summary>
    public static FeatureSet SetOf(Flow flow, Rhythm? rhythm) =>
        rhythm is { DnsQueries: > 0 } ? FeatureSet.Dns
        : rhythm is { Echo.Requests: > 0 } ? FeatureSet.Echo
        : rhythm is not null ? FeatureSet.Timing
        : flow.PacketsToServer + flow.PacketsToClient > 0 ? FeatureSet.Counters
        : FeatureSet.BytesOnly;

    /// <summary>Indices into <see cref="Names"/> of the features of <paramref name="set"/>.</summary>
    public static IReadOnlyList<int> Of(FeatureSet set) => set switch
    {
        FeatureSet.Dns => DnsFeatures,
        FeatureSet.Timing => TimingFeatures,
        FeatureSet.Echo => EchoFeatures,
        FeatureSet.Counters => CounterFeatures,
        _ => ByteFeatures,
    };

    /// <summary>
    /// The features of <paramref name="set"/> as measured: bytes, packets, seconds, a share in [0, 1], a variation, 0 or 1
    /// for a yes or no; what the flow alone does not say (its host pair's beat, whether its hour is off) comes in
    /// <paramref name="context"/>.
    /// </summary>
    public static double[] Raw(Flow flow, FeatureSet set, Rhythm? rhythm, FeatureContext context)
    {
        var features = Of(set);
        var raw = new double[features.Count];
        for (int i = 0; i < raw.Length; i++) raw[i] = Measure(flow, rhythm, context, features[i]);
        return raw;
    }

    /// <summary>The scaled value the models see of raw feature <paramref name="feature"/> (an index into <see cref="Names"/>).</summary>
    public static double Scale(int feature, double raw) => feature switch
    {
        Share or Variation or Entropy or WithoutSni or OffHours or EchoRepeat => raw,
        // A beat is told by how small its variation is: 0.01 against 0.1 is a difference, 0.9 against 1 is not.
        PairVariation => Math.Log(BeatFloor + Math.Max(0, raw)),
        _ => Math.Log(1 + Math.Max(0, raw)),
    };

    // The variation below which a host pair's beat counts as perfectly steady: starts to the second a minute apart.
    private const double BeatFloor = 0.05;

    private static double Measure(Flow flow, Rhythm? rhythm, FeatureContext context, int feature) => feature switch
    {
        0 => flow.BytesToServer,
        1 => flow.BytesToClient,
        2 => flow.PacketsToServer,
        3 => flow.PacketsToClient,
        4 => (flow.EndNs - flow.StartNs) / 1e9,
        Share => flow.Bytes == 0 ? 0.5 : (double)flow.BytesToServer / flow.Bytes,
        6 => rhythm is { DataPackets: > 0 } r ? (double)r.PayloadBytes / r.DataPackets : 0,
        7 => rhythm?.MaxGap ?? 0,
        Variation => rhythm?.GapVariation ?? 1,
        9 => rhythm?.DnsQueries ?? 0,
        10 => rhythm?.DnsNameLength ?? 0,
        Entropy => rhythm?.DnsNameEntropy ?? 0,
        WithoutSni => flow.App == AppLabel.Tls && flow.AppDetail?.Find(DetailKeys.ServerName) is not { Length: > 0 } ? 1 : 0,
        PairVariation => context.PairStartVariation,
        EchoSizes => rhythm?.Echo?.SizeVariation ?? 0,
        EchoRepeat => rhythm?.Echo?.Repeats ?? 1,
        _ => context.OffHours ? 1 : 0,
    };
}

/// <summary>What a flow's features need beyond the flow: its host pair's beat so far and whether its hour is off.</summary>
/// <param name="PairStartVariation">The coefficient of variation of the gaps between the host pair's flow starts (<see cref="PairBeats"/>).</param>
/// <param name="OffHours">The flow started in an hour its model's training covered but its group never used (<see cref="HoursOfDay"/>).</param>
public readonly record struct FeatureContext(double PairStartVariation, bool OffHours);
