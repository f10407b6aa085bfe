namespace PortAudit.Audit.Anomaly;

/// <summary>
/// The model of one group of flows, as exported from a randomized PCA (Microsoft.ML, fitted by the learning companion)
/// and evaluated here without it. A flow's features are standardised by the group's centre and scale; its score is
/// the root mean of its squared distance along the principal directions (each over its variance) and of its
/// reconstruction error (over the training flows' mean error): about 1 for a typical training flow, growing with how far
/// the flow departs, whether along the directions normal flows vary in (a larger read) or across them (a read where
/// the pair only writes). Pure PCA reconstruction error alone would miss the first.
/// </summary>
/// <param name="Key">The group (<see cref="GroupKey"/>).</param>
/// <param name="Set">The features the model judges.</param>
/// <param name="Flows">Training flows of the group.</param>
/// <param name="Center">Mean of each scaled feature over the training flows.</param>
/// <param name="Scale">Standard deviation of each scaled feature, at least <see cref="ModelFitter.MinScale"/>.</param>
/// <param name="Mean">The PCA's mean of the standardised features.</param>
/// <param name="Directions">The principal directions, unit length.</param>
/// <param name="Variances">The training flows' variance along each direction.</param>
/// <param name="Residual">The training flows' mean squared reconstruction error.</param>
/// <param name="Threshold">Scores above this are anomalous.</param>
/// <param name="Low">1st percentile of each raw feature over the training flows.</param>
/// <param name="High">99th percentile of each raw feature over the training flows.</param>
public sealed record GroupModel(string Key, FeatureSet Set, long Flows, double[] Center, double[] Scale, double[] Mean, double[][] Directions,
    double[] Variances, double Residual, double Threshold, double[] Low, double[] High)
{
    /// <summary>Hours of the day (<see cref="HoursOfDay"/>) the group's training flows started in.</summary>
    public int Hours { get; init; }

    /// <summary>Hours of the day the training period covered; none by default, so no hour is off.</summary>
    public int CoveredHours { get; init; }

    /// <summary>
    /// Largest single-feature departure (<see cref="LargestDeparture"/>) above which a flow is anomalous, whatever its
    /// <see cref="Score"/>: the score spreads one feature's departure over every dimension, so a flow ordinary in all but
    /// one feature (a beat across connections) would pass it. Never, by default.
    /// </summary>
    public double FeatureThreshold { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Judges a flow's raw features by both statistics and gives the one further above its threshold, relative to it:
    /// the principal components' <see cref="Score"/>, or the <see cref="LargestDeparture"/> of one feature.
    /// </summary>
    public Judgement Judge(double[] raw)
    {
        double score = Score(raw), departure = LargestDeparture(raw);
        return departure / FeatureThreshold > score / Threshold
            ? new Judgement(departure, FeatureThreshold, Judgement.Feature)
            : new Judgement(score, Threshold, Judgement.Components);
    }

    /// <summary>The largest distance of one feature from the group's centre, in the group's standard deviations.</summary>
    public double LargestDeparture(ReadOnlySpan<double> raw)
    {
        var features = FlowFeatures.Of(Set);
        double largest = 0;
        for (int i = 0; i < raw.Length; i++) largest = Math.Max(largest, Math.Abs(Standardised(features[i], i, raw[i])));
        return largest;
    }

    /// <summary>True when a flow starting at <paramref name="startNs"/> is in an hour the training covered and the group never used.</summary>
    public bool OffHours(long startNs) => HoursOfDay.Off(startNs, Hours, CoveredHours);

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

/// <summary>A flow's score by one of a model's statistics, with that statistic's threshold.</summary>
/// <param name="Score">The score.</param>
/// <param name="Threshold">Scores above it are anomalous.</param>
/// <param name="Statistic"><see cref="Components"/> or <see cref="Feature"/>.</param>
public readonly record struct Judgement(double Score, double Threshold, string Statistic)
{
    /// <summary>The principal components' score (<see cref="GroupModel.Score"/>).</summary>
    public const string Components = "components";

    /// <summary>One feature's departure (<see cref="GroupModel.LargestDeparture"/>).</summary>
    public const string Feature = "feature";

    /// <summary>True above the threshold.</summary>
    public bool Anomalous => Score > Threshold;
}
