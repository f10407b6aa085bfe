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
