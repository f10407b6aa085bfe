namespace PortAudit.Inspect.Smb;

/// <summary>Named offsets of the SMB2 header ([MS-SMB2] 2.2.1), shared by the inspector that recognises SMB and the follower that reads its pipes.</summary>
public static class Smb2Header
{
    /// <summary>Header length; a command's body follows it.</summary>
    public const int Size = 64;

    /// <summary>NT status of a response.</summary>
    public const int StatusOffset = 8;

    /// <summary>The command code.</summary>
    public const int CommandOffset = 12;

    /// <summary>Flags; bit 0 (<see cref="ServerToRedir"/>) marks a response.</summary>
    public const int FlagsOffset = 16;

    /// <summary>Offset of the next compounded command, or 0.</summary>
    public const int NextCommandOffset = 20;

    /// <summary>The message id, which pairs a response with its request.</summary>
    public const int MessageIdOffset = 24;

    /// <summary>The tree id of a sync message (an async one has its async id in its place).</summary>
    public const int TreeIdOffset = 36;

    /// <summary>SMB2_FLAGS_SERVER_TO_REDIR: the message is a response.</summary>
    public const uint ServerToRedir = 0x1;
}
