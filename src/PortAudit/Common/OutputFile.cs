namespace PortAudit.Common;

/// <summary>How the tool opens a file it writes: reports, flow records, saved captures.</summary>
internal static class OutputFile
{
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
