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
/// once the answer gives its file id. A write on a file whose open was not seen (the capture began after it, or its
/// request was pushed out of those awaiting an answer) is probed (<see cref="Unopened"/>) unless its tree is a share's
/// (its tree connect answered so, or a file was opened on it): one that begins a call is a pipe's, followed from there;
/// one on a tree that holds pipes is else a pipe's not read. Bounded: at most <see cref="MaxPipes"/> pipes open at once (the oldest gives way;
/// its calls are then marked unseen), <see cref="MaxCreates"/> opens awaiting their answer and <see cref="MaxTrees"/>
/// trees of each kind.
/// </summary>
internal sealed class SmbPipes
{
    /// <summary>Pipes followed at once.</summary>
    public const int MaxPipes = 32;

    /// <summary>What a pipe whose open was not seen is followed as: its name is not known.</summary>
    public const string UnseenOpen = "pipe whose open was not seen";

    private const int MaxCreates = 8;
    private const int MaxNameChars = 80;
    private const int MaxTrees = 8;

    private readonly UInt128[] _createKeys = new UInt128[MaxCreates];
    private readonly SmbPipe?[] _creates = new SmbPipe?[MaxCreates];
    private readonly uint?[] _createTrees = new uint?[MaxCreates];
    // Keys of the last opens of files (a name with an extension or a long path), awaiting their answer.
    private readonly UInt128?[] _fileKeys = new UInt128?[MaxCreates];
    private readonly SmbPipe?[] _pipes = new SmbPipe?[MaxPipes];
    // Reads of pipes awaiting their answer, by the key of their request (SMB2's message id; SMB1's MID, PID, TID and UID):
    // an answer names no file.
    private readonly UInt128[] _readKeys = new UInt128[MaxCreates];
    private readonly SmbPipe?[] _reads = new SmbPipe?[MaxCreates];
    private int _nextRead;
    // Trees that hold pipes (IPC$: its tree connect said so, or a pipe was opened on it) and trees of a disk or printer
    // share (their tree connect said so, or a file was opened on them), whose files are never probed. SMB1 TIDs and SMB2
    // tree ids never meet on one connection. A share's tree past the bound is not known: its writes are probed. Past the
    // bound of pipe trees (a client can name trees in opens pushed out), every tree is taken to hold pipes.
    private readonly uint[] _pipeTrees = new uint[MaxTrees], _shareTrees = new uint[MaxTrees];
    private int _nextCreate, _nextFile, _nextPipe, _pipeTreeCount, _shareTreeCount;
    private bool _pipeTreesFull;

    /// <summary>An SMB1 FID as a file id of the table: FIDs and SMB2 file ids never meet on one connection.</summary>
    public static Guid Smb1FileId(ushort fid) => new(fid, 0x534d, 0x4231, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// Notes an open of <paramref name="name"/> (UTF-16LE when <paramref name="unicode"/>, else OEM; trailing NULs
    /// allowed) on <paramref name="tree"/> when known, awaiting its answer under <paramref name="key"/>; the pipe it would
    /// be, or null when the name is a file's.
    /// </summary>
    public SmbPipe? Create(UInt128 key, ReadOnlySpan<byte> name, bool unicode, uint? tree)
    {
        int width = unicode ? 2 : 1;
        while (name.Length >= width && name[^width..].IndexOfAnyExcept((byte)0) < 0) name = name[..^width];
        // Pipe names are short and have no extension: a long path or a file name with a dot is a file on a share, and a
        // file server opens thousands of those, none worth a string.
        if (name.IsEmpty) return null;
        if (name.Length > width * MaxNameChars || HasDot(name, width))
        {
            // Its answer, when it opens the file, shows the tree a share's.
            _fileKeys[_nextFile] = key;
            _nextFile = (_nextFile + 1) % MaxCreates;
            return null;
        }
        string text = unicode ? Encoding.Unicode.GetString(name) : Encoding.Latin1.GetString(name);
        int slash = text.LastIndexOf('\\');
        var pipe = new SmbPipe(new RpcAssociation("pipe " + (slash >= 0 ? text[(slash + 1)..] : text)));
        // An open of a pipe pushed out of those awaited opens, when answered, a pipe not in the table: its tree is noted to
        // hold pipes, so that a write there that begins no call is not passed as a file's (one that begins a call is
        // followed, Unopened).
        if (_creates[_nextCreate] is not null && _createTrees[_nextCreate] is { } pushed) Connected(pushed, pipes: true);
        _createTrees[_nextCreate] = tree;
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
    /// The answer, on <paramref name="tree"/>, to the open awaited under <paramref name="key"/>: the file id it opened, or
    /// null when refused. When it opened a pipe, the tree is known to hold pipes; when it opened a file, to be a share's.
    /// </summary>
    public void Opened(Flow flow, UInt128 key, Guid? fileId, uint? tree)
    {
        int file = Array.IndexOf(_fileKeys, key);
        if (file >= 0)
        {
            _fileKeys[file] = null;
            // A file opened (IPC$ opens none) shows its tree a share's.
            if (fileId is not null && tree is { } share) Connected(share, pipes: false);
            return;
        }
        for (int i = 0; i < MaxCreates; i++)
        {
            if (_creates[i] is not { } pipe || _createKeys[i] != key) continue;
            _creates[i] = null;
            // A refused open opens nothing.
            if (fileId is not { } opened) return;
            pipe.FileId = opened;
            Add(flow, pipe);
            if (tree is { } holder) Connected(holder, pipes: true);
            return;
        }
    }

    /// <summary>
    /// Notes what <paramref name="tree"/> holds: pipes (a tree connect to IPC$ was answered, or a pipe opened on it), or
    /// else a disk or printer share's files (its tree connect's answer said so, or a file opened on it).
    /// </summary>
    public void Connected(uint tree, bool pipes)
    {
        if (pipes) _pipeTreesFull |= !Note(_pipeTrees, ref _pipeTreeCount, tree);
        else Note(_shareTrees, ref _shareTreeCount, tree);
    }

    // False when the tree is new and there is no room left for it.
    private static bool Note(uint[] trees, ref int count, uint tree)
    {
        if (Array.IndexOf(trees, tree, 0, count) >= 0) return true;
        if (count == trees.Length) return false;
        trees[count++] = tree;
        return true;
    }

    private bool HoldsPipes(uint? tree) => _pipeTreesFull || (tree is { } id && Array.IndexOf(_pipeTrees, id, 0, _pipeTreeCount) >= 0);

    // A share's tree: its files are a disk's or a printer's, whatever their data holds. One seen to hold pipes too is not.
    private bool HoldsFiles(uint? tree) =>
        tree is { } id && Array.IndexOf(_shareTrees, id, 0, _shareTreeCount) >= 0 && Array.IndexOf(_pipeTrees, id, 0, _pipeTreeCount) < 0;

    /// <summary>
    /// A write of <paramref name="length"/> bytes on <paramref name="fileId"/>, on <paramref name="tree"/> when known, a
    /// file never seen opened; <paramref name="data"/> the part of them read. When they begin a call
    /// (<see cref="CoHeader.StartsCall"/>), the file is a pipe whose open was not seen, followed from here on and
    /// returned; else, on a tree that holds pipes, calls may have been written that are not read (<paramref name="why"/>).
    /// </summary>
    public SmbPipe? Unopened(Flow flow, Guid fileId, uint? tree, ReadOnlySpan<byte> data, long length, string why)
    {
        if (length <= 0 || HoldsFiles(tree)) return null;
        if (CoHeader.StartsCall(data, length))
        {
            var pipe = new SmbPipe(new RpcAssociation(UnseenOpen)) { FileId = fileId };
            Add(flow, pipe);
            return pipe;
        }
        if (HoldsPipes(tree)) RpcAssociation.Log(flow).MissedCalls(why);
        return null;
    }

    /// <summary>
    /// True when a write on <paramref name="fileId"/> (on <paramref name="tree"/> when known) whose data is not followed
    /// may be a pipe's: the file is an open pipe, its tree holds pipes, or the part of its data read (<paramref name="data"/>)
    /// begins a call.
    /// </summary>
    public bool MayBePipe(Guid fileId, uint? tree, ReadOnlySpan<byte> data) =>
        Find(fileId) is not null || HoldsPipes(tree) || (!HoldsFiles(tree) && CoHeader.StartsCall(data, data.Length));

    private void Add(Flow flow, SmbPipe pipe)
    {
        int free = Array.IndexOf(_pipes, null);
        if (free >= 0)
        {
            _pipes[free] = pipe;
            return;
        }
        // All taken: one gives way, in turn (the oldest while none closed), and what is still called on it is not read.
        _pipes[_nextPipe]!.Association.LoseCalls();
        RpcAssociation.Log(flow).Uninspectable ??= $"more than {MaxPipes} pipes open at once";
        _pipes[_nextPipe] = pipe;
        _nextPipe = (_nextPipe + 1) % MaxPipes;
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

    /// <summary>Notes a read of <paramref name="pipe"/> awaiting its answer under <paramref name="key"/> (the oldest gives way).</summary>
    public void Reading(UInt128 key, SmbPipe pipe)
    {
        _readKeys[_nextRead] = key;
        _reads[_nextRead] = pipe;
        _nextRead = (_nextRead + 1) % MaxCreates;
    }

    /// <summary>The pipe whose read awaited under <paramref name="key"/> is answered now, or null when none did.</summary>
    public SmbPipe? ReadAnswered(UInt128 key)
    {
        for (int i = 0; i < MaxCreates; i++)
        {
            if (_reads[i] is not { } pipe || _readKeys[i] != key) continue;
            _reads[i] = null;
            return pipe;
        }
        return null;
    }

    /// <summary>
    /// Hands what <paramref name="pipe"/> sent back to its association: <paramref name="length"/> bytes, of which
    /// <paramref name="data"/> is the part read. Bytes past it are passed over when they are the tail of a PDU that needs
    /// no reading; else the answers that follow are no longer read, and the offers after them are taken as bound.
    /// </summary>
    public static void FeedAnswers(Flow flow, SmbPipe pipe, ReadOnlySpan<byte> data, long length)
    {
        if (pipe.Association.TakeAnswers(flow, data)) pipe.Association.MissedAnswers(length - data.Length);
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
