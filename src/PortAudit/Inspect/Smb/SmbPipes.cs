using System.Text;
using PortAudit.Flows;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Inspect.Smb;

/// <summary>One named pipe an SMB client opened: its file id and the DCE/RPC association its writes carry.</summary>
internal sealed class SmbPipe(RpcAssociation association)
{
    /// <summary>The file id the server gave it (an SMB1 FID is widened, <see cref="SmbPipes.Smb1FileId"/>).</summary>
    public Guid FileId { get; set; }

    /// <summary>What the client's writes on the pipe carry, read as one byte stream.</summary>
    public RpcAssociation Association { get; } = association;
}

/// <summary>
/// The named pipes of one SMB connection, whichever dialect opens them (SMB2's CREATE, SMB1's NT_CREATE_ANDX or
/// OPEN_ANDX): an open awaiting its answer, matched by a key the dialect makes of the request's ids, becomes a pipe
/// once the answer gives its file id. Bounded: at most <see cref="MaxPipes"/> pipes open at once (the oldest gives way;
/// its calls are then marked unseen) and <see cref="MaxCreates"/> opens awaiting their answer.
/// </summary>
internal sealed class SmbPipes
{
    /// <summary>Pipes followed at once.</summary>
    public const int MaxPipes = 32;

    private const int MaxCreates = 8;
    private const int MaxNameChars = 80;

    private readonly ulong[] _createKeys = new ulong[MaxCreates];
    private readonly SmbPipe?[] _creates = new SmbPipe?[MaxCreates];
    private readonly SmbPipe?[] _pipes = new SmbPipe?[MaxPipes];
    private int _nextCreate, _nextPipe;

    /// <summary>An SMB1 FID as a file id of the table: FIDs and SMB2 file ids never meet on one connection.</summary>
    public static Guid Smb1FileId(ushort fid) => new(fid, 0x534d, 0x4231, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// Notes an open of <paramref name="name"/> (UTF-16LE when <paramref name="unicode"/>, else OEM; trailing NULs
    /// allowed) awaiting its answer under <paramref name="key"/>; the pipe it would be, or null when the name is a file's.
    /// </summary>
    public SmbPipe? Create(ulong key, ReadOnlySpan<byte> name, bool unicode)
    {
        int width = unicode ? 2 : 1;
        while (name.Length >= width && name[^width..].IndexOfAnyExcept((byte)0) < 0) name = name[..^width];
        // Pipe names are short and have no extension: a long path or a file name with a dot is a file on a share, and a
        // file server opens thousands of those, none worth a string.
        if (name.IsEmpty || name.Length > width * MaxNameChars || HasDot(name, width)) return null;
        string text = unicode ? Encoding.Unicode.GetString(name) : Encoding.Latin1.GetString(name);
        int slash = text.LastIndexOf('\\');
        var pipe = new SmbPipe(new RpcAssociation("pipe " + (slash >= 0 ? text[(slash + 1)..] : text)));
        _createKeys[_nextCreate] = key;
        _creates[_nextCreate] = pipe;
        _nextCreate = (_nextCreate + 1) % MaxCreates;
        return pipe;
    }

    private static bool HasDot(ReadOnlySpan<byte> name, int width)
    {
        for (int i = 0; i + width - 1 < name.Length; i += width)
            if (name[i] == '.' && (width == 1 || name[i + 1] == 0)) return true;
        return false;
    }

    /// <summary>
    /// The answer to the open awaited under <paramref name="key"/>: the file id it opened, or null when refused. True
    /// when it opened a pipe.
    /// </summary>
    public bool Opened(Flow flow, ulong key, Guid? fileId)
    {
        for (int i = 0; i < MaxCreates; i++)
        {
            if (_creates[i] is not { } pipe || _createKeys[i] != key) continue;
            _creates[i] = null;
            // A refused open opens nothing.
            if (fileId is not { } opened) return false;
            pipe.FileId = opened;
            int free = Array.IndexOf(_pipes, null);
            if (free >= 0)
            {
                _pipes[free] = pipe;
                return true;
            }
            // All taken: one gives way, in turn (the oldest while none closed), and what is still called on it is not read.
            _pipes[_nextPipe]!.Association.LoseCalls();
            RpcAssociation.Log(flow).Uninspectable ??= $"more than {MaxPipes} pipes open at once";
            _pipes[_nextPipe] = pipe;
            _nextPipe = (_nextPipe + 1) % MaxPipes;
            return true;
        }
        return false;
    }

    /// <summary>The file is closed: its pipe, if it was one, frees its place.</summary>
    public void Closed(Guid fileId)
    {
        for (int i = 0; i < MaxPipes; i++)
            if (_pipes[i]?.FileId == fileId) _pipes[i] = null;
    }

    /// <summary>The open pipe of <paramref name="fileId"/>, or null when the file is none.</summary>
    public SmbPipe? Find(Guid fileId)
    {
        foreach (var candidate in _pipes)
            if (candidate is not null && candidate.FileId == fileId) return candidate;
        return null;
    }

    /// <summary>Hands the client's next bytes on <paramref name="pipe"/> to its association; bytes that are no PDU lose the flow's calls.</summary>
    public static void Feed(Flow flow, SmbPipe pipe, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || pipe.Association.Lost) return;
        if (!pipe.Association.Take(flow, data))
            RpcAssociation.Log(flow).LoseCalls($"bytes on {pipe.Association.Via} that are no DCE/RPC PDU");
    }

    /// <summary>
    /// Notes that <paramref name="count"/> bytes of <paramref name="pipe"/> went unread (<paramref name="why"/>): passed
    /// over when they are only the unread tail of a request, else the flow's calls from here on are not known.
    /// </summary>
    public static void Miss(Flow flow, SmbPipe pipe, long count, string why)
    {
        if (pipe.Association.Lost || pipe.Association.Missed(count)) return;
        RpcAssociation.Log(flow).LoseCalls(why);
    }
}
