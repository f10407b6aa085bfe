namespace PortAudit.Tests.Lab;

/// <summary>
/// A lab test (<see cref="LabFactAttribute"/>) that also needs peers of its own, each given as <c>path:package</c>: a name
/// on the PATH, or an absolute path to a file or directory, in which one <c>/*/</c> stands for any directory (the
/// multiarch triplet of /usr/lib/*/samba). Skipped with the reason shown when the lab or any of them is missing.
/// </summary>
public sealed class LabPeersFactAttribute : FactAttribute
{
    public LabPeersFactAttribute(params string[] peers)
    {
        Skip = new LabFactAttribute().Skip;
        if (Skip is not null) return;
        if (LabFactAttribute.Missing(peers.Select(p => p.Split(':')).Select(p => (p[0], p[1]))) is { } missing) Skip = $"lab unavailable: {missing}";
    }
}
