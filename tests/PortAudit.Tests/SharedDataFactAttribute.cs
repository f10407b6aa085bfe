namespace PortAudit.Tests;

/// <summary>
/// A fact that needs a file or directory under ../shared. Where it is absent (a fresh clone
/// without the shared data) the test is reported as skipped with the reason, instead of failing
/// or silently passing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataFactAttribute : FactAttribute
{
    /// <param name="relative">Path inside ../shared that the test reads, e.g. "seeds"; the captures by default.</param>
    public SharedDataFactAttribute(string relative = "captures")
    {
        Relative = relative;
        if (!SharedData.Exists(relative))
            Skip = $"../shared/{relative} not found";
    }

    /// <summary>The path inside ../shared that the test needs.</summary>
    public string Relative { get; }
}
