namespace PortAudit.Audit.Anomaly;

/// <summary>
/// The model of one group of flows, as exported from a randomized PCA (Microsoft.ML, fitted by the learning companion)
/// and evaluated here without it. A flow's features are standardised by the group's centre and scale; its score is
/// the root mean of its squared distance along the principal directions (each over its variance) and of its
/// reconstruction error (over the training flows' mean error): about 1 for a typical training flow, growing with how far
/// the flow departs, whether along the directions normal flows vary in (a larger read) or across them (a read where
/// the pair only writes). Pure PCA reconstruction error alone would miss the first.
/// </summary>
public sealed class GroupModel
{
    /// <summary>Creates a model from its parameters; every array has the feature set's length but the variances (one per direction).</summary>
    public GroupModel(string key, FeatureSet set, long flows, double[] center, double[] scale, double[] mean, double[][] directions,
        double[] variances, double residual, double threshold, double[] low, double[] high)
    {
        Key = key;
        Set = set;
        Flows = flows;
        Center = center;
        Scale = scale;
        Mean = mean;
        Directions = directions;
        Variances = variances;
        Residual = residual;
        Threshold = threshold;
        Low = low;
        High = high;
    }

    /// <summary>The group (<see cref="GroupKey"/>).</summary>
    public string Key { get; }

    /// <summary>The features the model judges.</summary>
    public FeatureSet Set { get; }

    /// <summary>Training flows of the group.</summary>
    public long Flows { get; }

    /// <summary>Mean of each scaled feature over the training flows.</summary>
    public double[] Center { get; }

    /// <summary>Standard deviation of each scaled feature, at least <see cref="ModelFitter.MinScale"/>.</summary>
    public double[] Scale { get; }

    /// <summary>The PCA's mean of the standardised features.</summary>
    public double[] Mean { get; }

    /// <summary>The principal directions, unit length.</summary>
    public double[][] Directions { get; }

    /// <summary>The training flows' variance along each direction.</summary>
    public double[] Variances { get; }

    /// <summary>The training flows' mean squared reconstruction error.</summary>
    public double Residual { get; }

    /// <summary>Scores above this are anomalous.</summary>
    public double Threshold { get; }

    /// <summary>1st percentile of each raw feature over the training flows.</summary>
    public double[] Low { get; }

    /// <summary>99th percentile of each raw feature over the training flows.</summary>
    public double[] High { get; }

    /// <summary>The score of a flow's raw features (<see cref="FlowFeatures.Raw"/> of <see cref="Set"/>).</summary>
    public double Score(ReadOnlySpan<double> raw)
    {
        var features = FlowFeatures.Of(Set);
        Span<double> centred = stackalloc double[raw.Length];
        double total = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            centred[i] = Standardised(features[i], i, raw[i]) - Mean[i];
            total += centred[i] * centred[i];
        }
        double along = 0, explained = 0;
        for (int k = 0; k < Directions.Length; k++)
        {
            double projection = 0;
            for (int i = 0; i < raw.Length; i++) projection += Directions[k][i] * centred[i];
            explained += projection * projection;
            along += projection * projection / Variances[k];
        }
        double across = Math.Max(0, total - explained) / Residual;
        return Math.Sqrt((along + across) / (Directions.Length + 1));
    }

    /// <summary>The <paramref name="count"/> features of <paramref name="raw"/> furthest from the group's centre, furthest first.</summary>
    public IReadOnlyList<Departure> Departures(double[] raw, int count)
    {
        var features = FlowFeatures.Of(Set);
        var distances = new (double Distance, int Index)[raw.Length];
        for (int i = 0; i < raw.Length; i++) distances[i] = (Math.Abs(Standardised(features[i], i, raw[i])), i);
        return distances.OrderByDescending(d => d.Distance).Take(count)
            .Select(d => new Departure(FlowFeatures.Names[features[d.Index]], raw[d.Index], Low[d.Index], High[d.Index])).ToList();
    }

    private double Standardised(int feature, int i, double raw) => (FlowFeatures.Scale(feature, raw) - Center[i]) / Scale[i];
}
