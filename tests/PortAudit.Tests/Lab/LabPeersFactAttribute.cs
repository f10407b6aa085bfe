using PortAudit.Tests.Live;

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
        var missing = peers.Select(p => p.Split(':')).Where(p => !Exists(p[0])).Select(p => $"{p[0]} ({p[1]})").ToList();
        if (missing.Count > 0) Skip = $"lab unavailable: missing {string.Join(", ", missing)}: run tools/setup.sh";
    }

    private static bool Exists(string path)
    {
        if (!path.StartsWith('/')) return Programs.Find(path) is not null;
        int any = path.IndexOf("/*/", StringComparison.Ordinal);
        if (any < 0) return Path.Exists(path);
        string parent = path[..any], rest = path[(any + 3)..];
        return Directory.Exists(parent) && Directory.EnumerateDirectories(parent).Any(d => Path.Exists(Path.Combine(d, rest)));
    }
}
