using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace PortAudit.Learn;

/// <summary>What a fitted randomized PCA exports: the mean it centred on and its principal directions, unit length.</summary>
/// <param name="Mean">The mean of the rows.</param>
/// <param name="Directions">The principal directions, most variance first.</param>
public sealed record PcaFit(float[] Mean, float[][] Directions);

/// <summary>
/// Fits Microsoft.ML's randomized PCA (the anomaly-detection trainer) on one group's rows. The seed is fixed, so the
/// same training set gives the same model.
/// </summary>
public static class PcaFitter
{
    /// <summary>Seed of the randomized SVD: models are reproducible.</summary>
    public const int Seed = 1;

    /// <summary>Most principal directions kept: the rest of a flow's deviation is its reconstruction error.</summary>
    public const int MaxRank = 3;

    /// <summary>
    /// Fits the rows (all of one length, at least two) and exports the parameters. The rank is at most the number of
    /// features that vary; where the randomized SVD still finds no direction (Microsoft.ML reports NaN eigenvectors when
    /// the rows span fewer dimensions than asked), it is asked for one fewer, and a group whose rows are all alike gets
    /// its mean alone: every departure is then reconstruction error.
    /// </summary>
    public static PcaFit Fit(List<float[]> rows)
    {
        int dimension = rows[0].Length;
        int varying = Enumerable.Range(0, dimension).Count(i => rows.Any(r => r[i] != rows[0][i]));
        for (int rank = Math.Min(MaxRank, Math.Min(dimension - 1, varying)); rank >= 1; rank--)
        {
            try
            {
                return FitRank(rows, dimension, rank);
            }
            catch (ArgumentOutOfRangeException)
            {
                // NaN eigenvectors: the rows span fewer dimensions than the rank; try one fewer.
            }
        }
        return new PcaFit(Enumerable.Range(0, dimension).Select(i => (float)rows.Average(r => r[i])).ToArray(), []);
    }

    private static PcaFit FitRank(List<float[]> rows, int dimension, int rank)
    {
        var ml = new MLContext(seed: Seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), schema);
        var model = ml.AnomalyDetection.Trainers.RandomizedPca(nameof(Row.Features), rank: rank, ensureZeroMean: true, seed: Seed)
            .Fit(data).Model;
        VBuffer<float> mean = default;
        model.GetMean(ref mean);
        VBuffer<float>[] vectors = [];
        model.GetEigenVectors(ref vectors, out int found);
        return new PcaFit(Dense(mean, dimension), vectors.Take(found).Select(v => Dense(v, dimension)).ToArray());
    }

    private static float[] Dense(VBuffer<float> vector, int dimension)
    {
        var dense = new float[dimension];
        if (vector.Length == 0) return dense;
        vector.CopyTo(dense);
        return dense;
    }

    /// <summary>One training row as Microsoft.ML reads it.</summary>
    public sealed class Row
    {
        /// <summary>The scaled features of one flow.</summary>
        public float[] Features { get; set; } = [];
    }
}
