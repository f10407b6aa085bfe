namespace PortAudit.Inspect.Protocols;

/// <summary>NetBIOS session service framing (RFC 1002 4.3): type, flags (length extension bit), 16-bit length.</summary>
public static class NetBiosSession
{
    /// <summary>Frame header length.</summary>
    public const int Header = 4;

    /// <summary>Message types.</summary>
    public const byte Message = 0x00, Request = 0x81, Positive = 0x82, Negative = 0x83, Retarget = 0x84, KeepAlive = 0x85;

    /// <summary>Reads a frame header; false when the bytes cannot be one.</summary>
    public static bool TryHeader(ReadOnlySpan<byte> data, out byte type, out int length)
    {
        type = 0;
        length = 0;
        if (data.Length < Header || (data[1] & 0xFE) != 0) return false;
        type = data[0];
        if (type is not (Message or Request or Positive or Negative or Retarget or KeepAlive)) return false;
        length = ((data[1] & 1) << 16) | (data[2] << 8) | data[3];
        return true;
    }

    /// <summary>Skips the session-control frames at the start (request, responses, keep-alives); the offset of the first message frame, or -1.</summary>
    public static int SkipControl(ReadOnlySpan<byte> data)
    {
        int at = 0;
        for (int frames = 0; frames < 8; frames++)
        {
            if (!TryHeader(data[at..], out byte type, out int length)) return -1;
            if (type == Message) return at;
            at += Header + length;
            if (at >= data.Length) return -1;
        }
        return -1;
    }
}
