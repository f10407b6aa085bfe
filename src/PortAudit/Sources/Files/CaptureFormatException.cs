using PortAudit.Common;

namespace PortAudit.Sources.Files;

/// <summary>
/// A capture file is damaged or not a capture: names the file, the byte offset of the damage and what was wrong.
/// Everything read before the damage stays valid.
/// </summary>
public sealed class CaptureFormatException : InputException
{
    /// <summary>Creates the exception.</summary>
    public CaptureFormatException(string file, long offset, string problem)
        : base($"{file}: byte {offset}: {problem}")
    {
        File = file;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The capture's name as the user gave it.</summary>
    public string File { get; }

    /// <summary>
    /// Byte offset where the damage starts: in the compressed file for damage to a gzip capture's compression
    /// (header, data, trailer, bytes after it), otherwise in the capture itself, decompressed when it was compressed.
    /// </summary>
    public long Offset { get; }

    /// <summary>What was wrong, without file and offset.</summary>
    public string Problem { get; }
}
