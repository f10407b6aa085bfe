namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Turns a training set into group models: a model per role pair and port where the pair has
/// <see cref="MinFlows"/> flows on it, per role pair where it has them over all its ports, and a pooled fallback over
/// every allowed flow; the PCA is fitted elsewhere (<see cref="IPcaFitter"/>), the standardisation, the variances, the
/// threshold and the normal ranges here.
/// </summary>
public static class ModelFitter
{
    /// <summary>Fewest training flows a group needs for a model of its own.</summary>
    public const int MinFlows = 30;

    /// <summary>Smallest standard deviation of a scaled feature: a feature constant in training departs by this much per unit.</summary>
    public const double MinScale = 0.25;

    /// <summary>Smallest variance along a direction or of the reconstruction error: a group whose flows are all alike is not a hair trigger.</summary>
    public const double MinVariance = 0.05;

    /// <summary>The threshold is this quantile of the training flows' scores ...</summary>
    public const double ThresholdQuantile = 0.995;

    /// <summary>... times this margin.</summary>
    public const double DefaultMargin = 1.5;

    /// <summary>Fits every group of <paramref name="training"/> with enough flows, <paramref name="margin"/> times over the training quantile.</summary>
    public static IReadOnlyList<GroupModel> Fit(TrainingSet training, IPcaFitter fitter, double margin = DefaultMargin)
    {
        var groups = Groups(training);
        var standardised = new Dictionary<string, List<double[]>>(StringComparer.Ordinal);
        var scalings = new Dictionary<string, (double[] Center, double[] Scale)>(StringComparer.Ordinal);
        foreach (var (key, group) in groups)
        {
            var scaled = group.Rows.Select(r => Scaled(key, r)).ToList();
            var scaling = Standardisation(scaled);
            scalings.Add(key, scaling);
            standardised.Add(key, scaled.Select(r => Standardise(r, scaling)).ToList());
        }
        var fits = fitter.Fit(standardised);
        int covered = training.CoveredHours;
        return groups.Keys.Order(StringComparer.Ordinal)
            .Select(key => Build(key, groups[key].Rows, standardised[key], scalings[key], fits[key], margin) with
            {
                Hours = groups[key].Hours,
                CoveredHours = covered,
            })
            .ToList();
    }

    // Every port group, its role pair on any port and the pooled group of its feature set, each with the rows and the
    // hours of the port groups it holds; those with fewer than MinFlows flows are left out (their flows fall wider).
    private static SortedDictionary<string, (List<double[]> Rows, int Hours)> Groups(TrainingSet training)
    {
        var groups = new SortedDictionary<string, (List<double[]> Rows, int Hours)>(StringComparer.Ordinal);
        foreach (var (key, group) in training.Groups)
        {
            foreach (string into in new[] { key, GroupKey.PairOf(key), GroupKey.PooledOf(key) })
            {
                var (rows, hours) = groups.TryGetValue(into, out var found) ? found : ([], 0);
                rows.AddRange(group.Rows);
                groups[into] = (rows, hours | group.Hours);
            }
        }
        foreach (var key in groups.Where(g => g.Value.Rows.Count < MinFlows).Select(g => g.Key).ToList()) groups.Remove(key);
        return groups;
    }

    private static GroupModel Build(string key, List<double[]> raw, List<double[]> rows, (double[] Center, double[] Scale) scaling,
        PcaParameters pca, double margin)
    {
        var variances = pca.Directions.Select(d => Math.Max(MinVariance, rows.Average(r => Square(Project(r, pca.Mean, d))))).ToArray();
        double residual = Math.Max(MinVariance, rows.Average(r => Residual(r, pca)));
        var unthresholded = new GroupModel(key, SetOf(key), raw.Count, scaling.Center, scaling.Scale, pca.Mean, pca.Directions, variances,
            residual, double.PositiveInfinity, [], []);
        var scores = raw.Select(r => unthresholded.Score(r)).Order().ToList();
        var departures = raw.Select(r => unthresholded.LargestDeparture(r)).Order().ToList();
        int dimension = raw[0].Length;
        return unthresholded with
        {
            Threshold = Quantile(scores, ThresholdQuantile) * margin,
            FeatureThreshold = Quantile(departures, ThresholdQuantile) * margin,
            Low = Enumerable.Range(0, dimension).Select(i => Quantile(raw.Select(r => r[i]).Order().ToList(), 0.01)).ToArray(),
            High = Enumerable.Range(0, dimension).Select(i => Quantile(raw.Select(r => r[i]).Order().ToList(), 0.99)).ToArray(),
        };
    }

    /// <summary>The feature set a key names (its last field).</summary>
    /// <exception cref="FormatException">The key names no feature set.</exception>
    public static FeatureSet SetOf(string key) => FlowFeatures.Parse(key.Split('|')[^1]) ?? throw new FormatException($"model {key} names no feature set");

    private static double[] Scaled(string key, double[] raw)
    {
        var features = FlowFeatures.Of(SetOf(key));
        return raw.Select((v, i) => FlowFeatures.Scale(features[i], v)).ToArray();
    }

    private static (double[] Center, double[] Scale) Standardisation(List<double[]> rows)
    {
        int dimension = rows[0].Length;
        var center = new double[dimension];
        var scale = new double[dimension];
        for (int i = 0; i < dimension; i++)
        {
            center[i] = rows.Average(r => r[i]);
            scale[i] = Math.Max(MinScale, Math.Sqrt(rows.Average(r => Square(r[i] - center[i]))));
        }
        return (center, scale);
    }

    private static double[] Standardise(double[] row, (double[] Center, double[] Scale) scaling) =>
        row.Select((v, i) => (v - scaling.Center[i]) / scaling.Scale[i]).ToArray();

    private static double Project(double[] row, double[] mean, double[] direction)
    {
        double sum = 0;
        for (int i = 0; i < row.Length; i++) sum += (row[i] - mean[i]) * direction[i];
        return sum;
    }

    private static double Residual(double[] row, PcaParameters pca)
    {
        double total = 0;
        for (int i = 0; i < row.Length; i++) total += Square(row[i] - pca.Mean[i]);
        return Math.Max(0, total - pca.Directions.Sum(d => Square(Project(row, pca.Mean, d))));
    }

    private static double Quantile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))];

    private static double Square(double x) => x * x;
}
