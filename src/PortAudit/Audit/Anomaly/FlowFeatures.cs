using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>Which features a flow's source carries: packet captures and most flow records count packets, some logs only bytes.</summary>
public enum FeatureSet
{
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
    public static readonly string[] Names = ["bytes-to-server", "bytes-to-client", "packets-to-server", "packets-to-client", "duration-s", "client-byte-share"];

    private static readonly int[] CounterFeatures = [0, 1, 2, 3, 4, 5];
    private static readonly int[] ByteFeatures = [0, 1, 4, 5];

    /// <summary>The name of <paramref name="set"/> in model files: counters, bytes-only.</summary>
    public static string Name(this FeatureSet set) => set == FeatureSet.Counters ? "counters" : "bytes-only";

    /// <summary>The feature set <paramref name="flow"/>'s source carries: without a packet counted either way, bytes only.</summary>
    public static FeatureSet SetOf(Flow flow) => flow.PacketsToServer + flow.PacketsToClient > 0 ? FeatureSet.Counters : FeatureSet.BytesOnly;

    /// <summary>Indices into <see cref="Names"/> of the features of <paramref name="set"/>.</summary>
    public static IReadOnlyList<int> Of(FeatureSet set) => set == FeatureSet.Counters ? CounterFeatures : ByteFeatures;

    /// <summary>The features of <paramref name="set"/> as measured: bytes, packets, seconds, a share in [0, 1].</summary>
    public static double[] Raw(Flow flow, FeatureSet set)
    {
        var features = Of(set);
        var raw = new double[features.Count];
        for (int i = 0; i < raw.Length; i++) raw[i] = Measure(flow, features[i]);
        return raw;
    }

    /// <summary>The scaled value the models see of raw feature <paramref name="feature"/> (an index into <see cref="Names"/>).</summary>
    public static double Scale(int feature, double raw) => feature == 5 ? raw : Math.Log(1 + Math.Max(0, raw));

    private static double Measure(Flow flow, int feature) => feature switch
    {
        0 => flow.BytesToServer,
        1 => flow.BytesToClient,
        2 => flow.PacketsToServer,
        3 => flow.PacketsToClient,
        4 => (flow.EndNs - flow.StartNs) / 1e9,
        _ => flow.Bytes == 0 ? 0.5 : (double)flow.BytesToServer / flow.Bytes,
    };
}
