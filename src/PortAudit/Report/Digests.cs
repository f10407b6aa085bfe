using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using PortAudit.Sources.Files;

namespace PortAudit.Report;

/// <summary>SHA-256 digests of what an audit read, streamed so that a capture of any size costs a fixed buffer.</summary>
public static class Digests
{
    /// <summary>The informational version of the PortAudit library ("1.0.0+COMMIT"), or its assembly version.</summary>
    public static string ToolVersion { get; } =
        typeof(Digests).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Digests).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// The digest of input <paramref name="name"/>: a file is hashed; "-" (standard input, already consumed) and names that
    /// are not files (live interfaces, collectors) are reported as such, without a digest.
    /// </summary>
    public static InputDigest OfInput(string name)
    {
        if (name == "-") return new InputDigest(name, InputKind.StandardInput, null, null);
        if (!File.Exists(name)) return new InputDigest(name, InputKind.Other, null, null);
        // Opened again, a pipe would wait for a writer that is gone.
        if (ReadDigests.IsPipe(name)) return new InputDigest(name, InputKind.Pipe, null, null);
        // A capture the run read was hashed beside the read (CaptureDigest); anything else is hashed now.
        return new InputDigest(name, InputKind.File, ReadDigests.TryGet(name) ?? TryFile(name), new FileInfo(name).Length);
    }

    /// <summary>
    /// The digest of the catalog in <paramref name="directory"/>: the files its loader reads (<c>*.yaml</c>, <c>*.yml</c>),
    /// in ordinal name order, each contributing the line "NAME SHA256\n" to one SHA-256.
    /// </summary>
    public static CatalogDigest OfCatalog(string name, string directory)
    {
        if (!Directory.Exists(directory)) return new CatalogDigest(name, null, []);
        var files = Directory.EnumerateFiles(directory, "*.yaml").Concat(Directory.EnumerateFiles(directory, "*.yml"))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var lines = new StringBuilder();
        foreach (string file in files)
        {
            if (TryFile(Path.Combine(directory, file)) is not { } digest) return new CatalogDigest(name, null, files);
            lines.Append(file).Append(' ').Append(digest).Append('\n');
        }
        return new CatalogDigest(name, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString()))), files);
    }

    /// <summary>Lower-case hex SHA-256 of the file at <paramref name="path"/>, read as a stream; null when it cannot be read.</summary>
    public static string? TryFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
            return Hex(SHA256.HashData(stream));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
