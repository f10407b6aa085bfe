namespace PortAudit.Tests;

/// <summary>
/// Runs work whose time a test bounds (a comparison that must not go quadratic, say): a run past the bound fails the test
/// with what was still going on, instead of holding the suite until the work ends.
/// </summary>
internal static class TimeBound
{
    /// <summary>The result of <paramref name="work"/>, run on the thread pool; the test fails when it takes longer than <paramref name="limit"/>.</summary>
    public static async Task<T> Within<T>(TimeSpan limit, string what, Func<T> work)
    {
        try
        {
            return await Task.Run(work).WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{what} after {limit.TotalSeconds:0} s");
        }
    }
}
