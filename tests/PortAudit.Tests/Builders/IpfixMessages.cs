using System.Buffers.Binary;

namespace PortAudit.Tests.Builders;

/// <summary>IPFIX messages (RFC 7011 §3.1) around sets a test writes, for the reader's, the collector's and hostile input's tests.</summary>
internal static class IpfixMessages
{
    /// <summary>Export time of every message built here (2023-11-14T22:13:30Z).</summary>
    public const uint ExportTime = 1_700_000_010;

    /// <summary>A message of observation domain <paramref name="domain"/> holding <paramref name="sets"/>, sequence number 0.</summary>
    public static byte[] Message(uint domain, params byte[][] sets)
    {
        int length = 16 + sets.Sum(s => s.Length);
        var message = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(message, 10);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), ExportTime);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), domain);
        sets.SelectMany(s => s).ToArray().CopyTo(message, 16);
        return message;
    }
}
