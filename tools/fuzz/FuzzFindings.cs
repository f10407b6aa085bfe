using System.Security.Cryptography;
using System.Text;

namespace PortAudit.Fuzz;

/// <summary>What went wrong with an input.</summary>
public enum FindingKind
{
    /// <summary>An exception other than the library's clear input errors escaped.</summary>
    Crash,

    /// <summary>The input took longer than the per-input timeout.</summary>
    Hang,

    /// <summary>The working set passed the limit, or the heap its hard limit, while the input ran.</summary>
    Memory,

    /// <summary>The process died on the input in an earlier session (a stack overflow, say): found at the next start.</summary>
    Died,
}

/// <summary>
/// The findings directory: each finding is the input (<c>KIND-TARGET-HASH.input</c>) and a text beside it naming the
/// target, the seed and what happened. Crashes with the same exception type and top frame are kept once.
/// The input being run is kept in <c>.scratch/current</c> so that a session killed by the input is reported by the next.
/// </summary>
public sealed class FuzzFindings
{
    private readonly HashSet<string> _signatures = new(StringComparer.Ordinal);

    /// <summary>Uses <paramref name="directory"/>, creating it.</summary>
    public FuzzFindings(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        Scratch = Path.Combine(directory, ".scratch");
        System.IO.Directory.CreateDirectory(Scratch);
    }

    /// <summary>The findings directory.</summary>
    public string Directory { get; }

    /// <summary>Where targets write the files they read.</summary>
    public string Scratch { get; }

    /// <summary>Findings saved this session.</summary>
    public List<string> Saved { get; } = [];

    private string CurrentPath => Path.Combine(Scratch, "current");

    /// <summary>Notes the input about to run, so that a process it kills leaves it behind.</summary>
    public void Begin(string target, FuzzSeed seed, byte[] input)
    {
        File.WriteAllBytes(CurrentPath + ".input", input);
        File.WriteAllText(CurrentPath, $"{target}\n{seed.Name}\n");
    }

    /// <summary>The input ran to an end the harness saw.</summary>
    public void End() => File.Delete(CurrentPath);

    /// <summary>Reports the input an earlier session died on, if it did.</summary>
    public void RecoverDied()
    {
        if (!File.Exists(CurrentPath)) return;
        var lines = File.ReadAllLines(CurrentPath);
        var input = File.Exists(CurrentPath + ".input") ? File.ReadAllBytes(CurrentPath + ".input") : [];
        if (lines.Length >= 2)
            Save(FindingKind.Died, lines[0], new FuzzSeed(lines[1], []), input, "the previous session's process died while running this input");
        End();
    }

    /// <summary>Saves a finding unless one with the same <paramref name="signature"/> was saved this session; returns true when saved.</summary>
    public bool Save(FindingKind kind, string target, FuzzSeed seed, byte[] input, string report, string? signature = null)
    {
        if (signature is not null && !_signatures.Add(target + signature)) return false;
        string hash = Convert.ToHexStringLower(SHA256.HashData(input))[..12];
        string name = $"{kind.ToString().ToLowerInvariant()}-{target}-{hash}";
        File.WriteAllBytes(Path.Combine(Directory, name + ".input"), input);
        File.WriteAllText(Path.Combine(Directory, name + ".txt"), $"{target}\n{seed.Name}\n{report}\n", new UTF8Encoding(false));
        Saved.Add(name);
        return true;
    }
}
