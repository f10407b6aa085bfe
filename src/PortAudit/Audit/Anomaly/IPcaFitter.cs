namespace PortAudit.Audit.Anomaly;

/// <summary>A randomized PCA's exported parameters: the mean it centred on and its principal directions.</summary>
/// <param name="Mean">The mean of the rows.</param>
/// <param name="Directions">Unit-length principal directions, most variance first.</param>
public sealed record PcaParameters(double[] Mean, double[][] Directions);

/// <summary>
/// Fits a PCA on each group of standardised rows. The tool's fitter is Microsoft.ML's randomized PCA in the learning
/// companion process (Pipeline); the core library does not reference Microsoft.ML, so the AOT-compiled audit stays free
/// of run-time code generation.
/// </summary>
public interface IPcaFitter
{
    /// <summary>The parameters of each group of <paramref name="groups"/>, by the same key.</summary>
    IReadOnlyDictionary<string, PcaParameters> Fit(IReadOnlyDictionary<string, List<double[]>> groups);
}
