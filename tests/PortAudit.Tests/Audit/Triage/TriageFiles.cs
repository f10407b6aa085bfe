namespace PortAudit.Tests.Audit.Triage;

/// <summary>A temporary directory for the suppression files and reports a triage test writes, removed afterwards.</summary>
internal sealed class TriageFiles : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"triage-{Guid.NewGuid():N}");

    public TriageFiles() => Directory.CreateDirectory(Root);

    public string Write(string name, string text)
    {
        string path = Path.Combine(Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
