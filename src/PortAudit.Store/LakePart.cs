namespace PortAudit.Store;

/// <summary>
/// A lake file being written: a Parquet file under its temporary name in its partition, put in place under its own
/// name (a rename within the directory, atomic) once complete, so that a reader sees it whole or not at all.
/// </summary>
internal sealed class LakePart : IDisposable
{
    private readonly string _temporary;
    private readonly FileStream _stream;
    private readonly LakeParquetFile _file;
    private bool _closed;

    /// <summary>Opens a file in <paramref name="partition"/> (created if missing), named for <paramref name="opened"/>.</summary>
    public LakePart(string partition, DateTimeOffset opened, long openedTimestamp)
    {
        Directory.CreateDirectory(partition);
        string name = LakeLayout.PartName(opened);
        Path = System.IO.Path.Combine(partition, name);
        _temporary = System.IO.Path.Combine(partition, LakeLayout.TemporaryName(name));
        _stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _file = new LakeParquetFile(_stream);
        OpenedTimestamp = openedTimestamp;
    }

    /// <summary>The file's name once complete.</summary>
    public string Path { get; }

    /// <summary>When it was opened (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>): the time bound counts from here.</summary>
    public long OpenedTimestamp { get; }

    /// <summary>When its writer last gave it a row, in the writer's own count: the least recently used file is closed first.</summary>
    public long LastUsed { get; set; }

    /// <summary>Where rows go.</summary>
    public IStoreRowSink Rows => _file;

    /// <summary>Rows written to it.</summary>
    public long Count => _file.Rows;

    /// <summary>Writes the footer, flushes the file to disk and renames it into place.</summary>
    public void Close()
    {
        _file.Complete();
        // On disk before it has its name: a crash after the rename must not leave a named file with a hole in it.
        _stream.Flush(flushToDisk: true);
        _file.Dispose();
        File.Move(_temporary, Path);
        _closed = true;
    }

    /// <summary>Without <see cref="Close"/>, or after it failed (a full disk): the temporary file is removed, the lake keeps no half file.</summary>
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        try
        {
            _file.Dispose();
        }
        catch (IOException)
        {
            // The disk that failed the write may fail the footer too: the file goes either way.
        }
        File.Delete(_temporary);
    }
}
