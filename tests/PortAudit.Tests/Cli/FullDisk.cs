namespace PortAudit.Tests.Cli;

/// <summary>
/// A small tmpfs of its own, mounted on a directory for one test and filled to the last page, so that the next byte a
/// file takes is refused with ENOSPC: a full disk without filling the machine's. Unmounted on dispose.
/// </summary>
internal sealed class FullDisk : IDisposable
{
    // tmpfs counts whole pages: a file of a page's multiple has no room left in its last page for an append.
    public const int Page = 4096;

    private FullDisk(string directory) => Directory = directory;

    /// <summary>The mounted directory.</summary>
    public string Directory { get; }

    /// <summary>Why no disk can be mounted here (not root, not Linux, mount refused), or null when one can.</summary>
    public static string? Unavailable => Probe.Value;

    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "not Linux: a full disk is a tmpfs mount";
        if (Environment.UserName != "root") return "not root: mounting a tmpfs needs root";
        var probe = System.IO.Directory.CreateTempSubdirectory("portaudit-mount-probe").FullName;
        try
        {
            var mount = Mount(probe);
            if (mount.ExitCode != 0) return $"mount refused (a container without CAP_SYS_ADMIN?): {mount.StandardError.Trim()}";
            Unmount(probe);
            return null;
        }
        finally
        {
            System.IO.Directory.Delete(probe);
        }
    });

    /// <summary>Mounts a 256 KiB tmpfs on <paramref name="directory"/> (created).</summary>
    public static FullDisk Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var mount = Mount(directory);
        Assert.True(mount.ExitCode == 0, mount.StandardError);
        return new FullDisk(directory);
    }

    /// <summary>Writes <paramref name="name"/> with <paramref name="text"/>, padded with newlines to whole pages; returns its path.</summary>
    public string WritePaged(string name, string text)
    {
        string path = Path.Combine(Directory, name);
        int length = (text.Length + Page - 1) / Page * Page;
        File.WriteAllText(path, text.PadRight(length, '\n'));
        return path;
    }

    /// <summary>Fills what is left with a file named <c>fill</c> until the disk refuses a page.</summary>
    public void Fill()
    {
        using var fill = new FileStream(Path.Combine(Directory, "fill"), FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var page = new byte[Page];
        try
        {
            while (true)
            {
                fill.Write(page);
                fill.Flush();
            }
        }
        catch (IOException)
        {
            // Full: the point.
        }
    }

    /// <summary>The file names in the disk's directory, in order.</summary>
    public string[] Files() => [.. System.IO.Directory.GetFiles(Directory).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    public void Dispose() => Unmount(Directory);

    private static ExternalProgram.Result Mount(string directory) =>
        ExternalProgram.Run(ExternalProgram.Start("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", directory]), TimeSpan.FromSeconds(20));

    private static void Unmount(string directory) =>
        ExternalProgram.Run(ExternalProgram.Start("umount", [directory]), TimeSpan.FromSeconds(20));
}

/// <summary>A fact that needs a <see cref="FullDisk"/>: reported as skipped, with the reason, where none can be mounted.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FullDiskFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no tmpfs can be mounted.</summary>
    public FullDiskFactAttribute()
    {
        if (FullDisk.Unavailable is { } reason) Skip = reason;
    }
}
