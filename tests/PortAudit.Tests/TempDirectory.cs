namespace PortAudit.Tests;

/// <summary>A fresh directory per test class instance, removed with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    private readonly string _path = Directory.CreateTempSubdirectory("portaudit-live-").FullName;

    /// <summary>The directory.</summary>
    public string Root => _path;

    /// <summary>The path of <paramref name="name"/> inside the directory.</summary>
    public string File(string name) => Path.Combine(_path, name);

    public void Dispose() => Directory.Delete(_path, recursive: true);
}
