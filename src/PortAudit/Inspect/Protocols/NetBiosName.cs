namespace PortAudit.Inspect.Protocols;

/// <summary>The first-level encoded NetBIOS name (RFC 1001 14.1): length 32, then 32 characters 'A' to 'P'.</summary>
public static class NetBiosName
{
    /// <summary>Encoded size: length byte plus 32 characters.</summary>
    public const int EncodedSize = 33;

    /// <summary>True when an encoded name starts at <paramref name="at"/>.</summary>
    public static bool IsAt(ReadOnlySpan<byte> data, int at)
    {
        if (at < 0 || at + EncodedSize > data.Length || data[at] != 0x20) return false;
        foreach (byte b in data.Slice(at + 1, 32))
            if (b is < (byte)'A' or > (byte)'P') return false;
        return true;
    }

    /// <summary>Skips the scope labels after an encoded name; the offset just past the terminating zero, or -1.</summary>
    public static int SkipScope(ReadOnlySpan<byte> data, int at)
    {
        at += EncodedSize;
        for (int labels = 0; labels < 16 && at < data.Length; labels++)
        {
            if (data[at] == 0) return at + 1;
            if (data[at] > 63) return -1;
            at += 1 + data[at];
        }
        return -1;
    }
}
