namespace PortAudit.Common;

/// <summary>How the tool opens a file it writes: reports, flow records, saved captures.</summary>
internal static class OutputFile
{
    // The temporaries written now, by name: removed by RemoveHeld when the process is about to end before they are put in
    // place or removed (a signal the run does not handle), so that it leaves no .partial behind.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Held = new(StringComparer.Ordinal);

    /// <summary>Removes every temporary this process is writing: for a process that ends before it finishes them.</summary>
    public static void RemoveHeld()
    {
        foreach (string temporary in Held.Keys) TryDelete(temporary);
    }

    /// <summary>Notes that <paramref name="temporary"/> is being written, for its removal should the process exit first.</summary>
    public static void Hold(string temporary) => Held[temporary] = true;

    /// <summary>Notes that <paramref name="temporary"/> took its name or was removed.</summary>
    public static void Release(string temporary) => Held.TryRemove(temporary, out _);

    /// <summary>Removes <paramref name="file"/> if it can; a file left is named as partial, and the next run writing the same target removes it.</summary>
    public static void TryDelete(string file)
    {
        Release(file);
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for RemoveLeftovers of the next run.
        }
    }

    /// <summary>The temporary name <paramref name="final"/> is written under by this process, beside it.</summary>
    public static string Temporary(string final) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(final))!, $".{Path.GetFileName(final)}.{Environment.ProcessId}.partial");

    /// <summary>
    /// True when <paramref name="path"/> is something other than a regular file, a directory or nothing (a device such as
    /// /dev/null, a FIFO, a terminal): written directly, never replaced.
    /// </summary>
    public static bool IsSpecial(string path)
    {
        if (!Path.Exists(path) || Directory.Exists(path)) return false;
        if (!OperatingSystem.IsLinux()) return Path.GetFullPath(path).StartsWith("/dev/", StringComparison.Ordinal);
        int modeAt = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => 24,
            System.Runtime.InteropServices.Architecture.Arm64 => 16,
            _ => -1,
        };
        if (modeAt < 0) return Path.GetFullPath(path).StartsWith("/dev/", StringComparison.Ordinal);
        var buffer = new byte[256];
        if (Stat(path, buffer) != 0) return false;
        const uint TypeMask = 0xF000, Regular = 0x8000;
        return (BitConverter.ToUInt32(buffer, modeAt) & TypeMask) != Regular;
    }

    [System.Runtime.InteropServices.DllImport(NativeLibraries.C, EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, byte[] buffer);

    /// <summary>
    /// Removes the temporary files a killed run left for <paramref name="final"/> (<c>.NAME.PID.partial</c> of a process
    /// that is gone); those of running processes are left alone.
    /// </summary>
    public static void RemoveLeftovers(string final)
    {
        try
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(final))!;
            string prefix = $".{Path.GetFileName(final)}.";
            foreach (var file in Directory.EnumerateFiles(directory, prefix + "*.partial"))
            {
                string pid = Path.GetFileName(file)[prefix.Length..^".partial".Length];
                if (!int.TryParse(pid, out int id) || id == Environment.ProcessId || Running(id)) continue;
                File.Delete(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next run: a leftover harms nothing but space.
        }
    }

    private static bool Running(int id)
    {
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{id}");
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> for writing, created new when nothing is there, else truncated (a file written
    /// before, a device such as /dev/null, a named pipe).
    /// </summary>
    /// <remarks>
    /// <see cref="FileMode.Create"/> truncates the file it opens even when it has just been created, and ext4 takes a
    /// file truncated to nothing for one being replaced in place (<c>auto_da_alloc</c>): it starts writing the file's
    /// data back when the file is closed, on the closing thread. After the corpus audit that held the close of the
    /// 250 MB flows.jsonl for 0.065 s; a capture rotating its files closes them on the thread that writes packets.
    /// A new file is not truncated.
    /// </remarks>
    public static FileStream OpenForWriting(string path, int bufferSize)
    {
        try
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize);
        }
        catch (IOException) when (Path.Exists(path) && !Directory.Exists(path))
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize);
        }
    }
}
