using System.Buffers.Binary;

namespace PortAudit.Inspect.Smb;

/// <summary>
/// An SMB1 message ([MS-CIFS] 2.2.3): the 32-byte header, then one command block (WordCount, parameter words,
/// ByteCount, data bytes) and, for an AndX command, the blocks its chain points at (<see cref="TryBlock"/>). Holds the
/// part of the message read, which may stop short of its end.
/// </summary>
public readonly ref struct Smb1Header
{
    /// <summary>Header length; the first command's block follows it.</summary>
    public const int Size = 32;

    /// <summary>Named offsets of the header ([MS-CIFS] 2.2.3.1).</summary>
    public const int CommandOffset = 4, StatusOffset = 5, FlagsOffset = 9, Flags2Offset = 10, PidHighOffset = 12,
        TidOffset = 24, PidLowOffset = 26, UidOffset = 28, MidOffset = 30;

    /// <summary>SMB_FLAGS2_UNICODE: the message's strings are UTF-16LE, else OEM.</summary>
    public const ushort UnicodeStrings = 0x8000;

    /// <summary>The AndX words that begin every AndX command's parameters ([MS-CIFS] 2.2.3.4): next command, reserved, offset.</summary>
    public const int AndXCommandOffset = 0, AndXOffsetOffset = 2, AndXSize = 4;

    /// <summary>AndXCommand of the last command of a chain.</summary>
    public const byte NoAndXCommand = 0xFF;

    private readonly ReadOnlySpan<byte> _message;

    private Smb1Header(ReadOnlySpan<byte> message) => _message = message;

    /// <summary>The first command's code.</summary>
    public byte Command => _message[CommandOffset];

    /// <summary>The status: an NT status, or a DOS error class and code; 0 for success.</summary>
    public uint Status => BinaryPrimitives.ReadUInt32LittleEndian(_message[StatusOffset..]);

    /// <summary>True when the message's strings are UTF-16LE (<see cref="UnicodeStrings"/>).</summary>
    public bool Unicode => (BinaryPrimitives.ReadUInt16LittleEndian(_message[Flags2Offset..]) & UnicodeStrings) != 0;

    /// <summary>The tree (share) the message acts on.</summary>
    public ushort Tid => BinaryPrimitives.ReadUInt16LittleEndian(_message[TidOffset..]);

    /// <summary>The client process id, high and low halves together.</summary>
    public uint Pid => (uint)BinaryPrimitives.ReadUInt16LittleEndian(_message[PidHighOffset..]) << 16
        | BinaryPrimitives.ReadUInt16LittleEndian(_message[PidLowOffset..]);

    /// <summary>The session (user) the message acts for.</summary>
    public ushort Uid => BinaryPrimitives.ReadUInt16LittleEndian(_message[UidOffset..]);

    /// <summary>The multiplex id, which with <see cref="Pid"/>, <see cref="Tid"/> and <see cref="Uid"/> pairs a response with its request.</summary>
    public ushort Mid => BinaryPrimitives.ReadUInt16LittleEndian(_message[MidOffset..]);

    /// <summary>
    /// One key of the request a message is or answers: its multiplex, process, tree and user ids, which together name a
    /// pending request ([MS-CIFS] Server.SMBRequest); a MID is unique only per PID (2.2.1.6.2).
    /// </summary>
    public UInt128 RequestKey => Mid | (UInt128)Pid << 16 | (UInt128)Tid << 48 | (UInt128)Uid << 64;

    /// <summary>Reads the header of <paramref name="message"/> (0xFF 'SMB'); false when it is none or cut short.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out Smb1Header header)
    {
        header = default;
        if (message.Length < Size + 1 || message[0] != 0xFF || !message[1..4].SequenceEqual("SMB"u8)) return false;
        header = new Smb1Header(message);
        return true;
    }

    /// <summary>
    /// The command block at <paramref name="at"/> (from the header's start): its parameter words and the part of its
    /// data bytes read, which begin at <paramref name="bytesAt"/>; false when its words or ByteCount were not read.
    /// </summary>
    public bool TryBlock(int at, out ReadOnlySpan<byte> words, out ReadOnlySpan<byte> bytes, out int bytesAt)
    {
        words = bytes = default;
        bytesAt = 0;
        if (at < Size || at >= _message.Length) return false;
        int count = _message[at];
        bytesAt = at + 1 + 2 * count + 2;
        if (bytesAt > _message.Length) return false;
        words = _message.Slice(at + 1, 2 * count);
        int byteCount = BinaryPrimitives.ReadUInt16LittleEndian(_message[(bytesAt - 2)..]);
        bytes = _message.Slice(bytesAt, Math.Min(byteCount, _message.Length - bytesAt));
        return true;
    }

    /// <summary>The part read of <paramref name="length"/> bytes at <paramref name="offset"/> from the header's start.</summary>
    public ReadOnlySpan<byte> Slice(long offset, long length)
    {
        if (offset < 0 || offset >= _message.Length || length <= 0) return default;
        return _message.Slice((int)offset, (int)Math.Min(length, _message.Length - offset));
    }
}
