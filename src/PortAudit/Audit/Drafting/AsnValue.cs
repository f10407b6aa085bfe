using System.Formats.Asn1;

namespace PortAudit.Audit.Drafting;

/// <summary>
/// The platform's BER reader (<see cref="AsnDecoder"/>) for the drafting name readers, which read packets: its Try
/// methods still throw <see cref="AsnContentException"/> on some malformed input (a bad length inside an indefinite
/// one), and a hostile packet must never end the run, so each call here turns that exception into false.
/// </summary>
internal static class AsnValue
{
    /// <summary>The whole value at the start of <paramref name="data"/>; false when it is malformed or cut short.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out Asn1Tag tag, out int contentOffset, out int contentLength, out int bytesConsumed)
    {
        try
        {
            return AsnDecoder.TryReadEncodedValue(data, AsnEncodingRules.BER, out tag, out contentOffset, out contentLength, out bytesConsumed);
        }
        catch (AsnContentException)
        {
            tag = default;
            contentOffset = contentLength = bytesConsumed = 0;
            return false;
        }
    }

    /// <summary>The INTEGER at the start of <paramref name="data"/> when it fits an int; false when it is another tag, malformed or too large.</summary>
    public static bool TryReadInt32(ReadOnlySpan<byte> data, out int value, out int bytesConsumed)
    {
        try
        {
            return AsnDecoder.TryReadInt32(data, AsnEncodingRules.BER, out value, out bytesConsumed);
        }
        catch (AsnContentException)
        {
            value = bytesConsumed = 0;
            return false;
        }
    }
}
