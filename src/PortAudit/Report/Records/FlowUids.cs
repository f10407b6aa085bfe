using System.IO.Hashing;
using System.Security.Cryptography;

namespace PortAudit.Report.Records;

/// <summary>
/// Zeek-style flow uids ("C" and 17 base62 digits, <c>CtcB6GpHSwD8wGXhX</c>) that stay unique when the Parquet files of
/// many runs and sensors are read together, where the per-run flow id (1, 2, 3...) repeats in every run. A uid is 96
/// bits of the XXH128 hash of a random 128-bit nonce drawn per run and the flow id: any two flows, of one run or of
/// many, share a uid with odds of about n²/2⁹⁷ for n flows in all (2⁻³⁷ for a billion).
/// One instance per run, shared by every file of the run that names flows (flows.parquet, findings.parquet), so that
/// a finding's uids are its flows'.
/// </summary>
public sealed class FlowUids
{
    /// <summary>Length of a uid: "C" and the base62 digits of 96 bits.</summary>
    public const int Length = 18;

    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private readonly byte[] _nonce;

    /// <summary>A run's uids, with a fresh random nonce.</summary>
    public FlowUids() : this(RandomNumberGenerator.GetBytes(16)) { }

    /// <summary>The uids of a given 16-byte <paramref name="nonce"/> (for tests: the same nonce gives the same uids).</summary>
    public FlowUids(byte[] nonce)
    {
        if (nonce.Length != 16) throw new ArgumentException("a 128-bit nonce", nameof(nonce));
        _nonce = nonce;
    }

    /// <summary>The uid of the run's flow <paramref name="flowId"/>.</summary>
    public string Of(long flowId)
    {
        Span<byte> input = stackalloc byte[24];
        _nonce.CopyTo(input);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(input[16..], flowId);
        UInt128 value = XxHash128.HashToUInt128(input) >> 32;
        return string.Create(Length, value, static (text, bits) =>
        {
            text[0] = 'C';
            for (int i = text.Length - 1; i > 0; i--, bits /= 62) text[i] = Digits[(int)(bits % 62)];
        });
    }
}
