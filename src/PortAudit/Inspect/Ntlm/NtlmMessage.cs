using System.Buffers.Binary;

namespace PortAudit.Inspect.Ntlm;

/// <summary>
/// The fixed part of an NTLM message ([MS-NLMP] 2.2.1): the signature, the message type and, for an AUTHENTICATE
/// message (2.2.1.3), the length of the NT challenge response, which tells NTLMv1 (24 bytes) from NTLMv2 (longer).
/// </summary>
/// <param name="MessageType">1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE.</param>
/// <param name="NtResponseLength">NtChallengeResponseFields.Len of an AUTHENTICATE message; 0 for the other types.</param>
public readonly ref struct NtlmMessage(uint MessageType, ushort NtResponseLength)
{
    /// <summary>AUTHENTICATE_MESSAGE.</summary>
    public const uint Authenticate = 3;

    private const int TypeOffset = 8;
    // LmChallengeResponseFields (8 bytes) sit at 12, NtChallengeResponseFields at 20, its Len first.
    private const int NtResponseLengthOffset = 20;
    private const int AuthenticateFixed = NtResponseLengthOffset + 8;
    // An NTLMv1 NT response is the 24-byte DESL result ([MS-NLMP] 3.3.1); an NTLMv2 one carries a blob and is longer.
    private const int V1ResponseLength = 24;

    /// <summary>"NTLMSSP\0".</summary>
    public static ReadOnlySpan<byte> Signature => "NTLMSSP\0"u8;

    /// <summary>The message type.</summary>
    public uint MessageType { get; } = MessageType;

    /// <summary>Length of the NT challenge response of an AUTHENTICATE message.</summary>
    public ushort NtResponseLength { get; } = NtResponseLength;

    /// <summary>True for an AUTHENTICATE message whose NT response is NTLMv1's 24 bytes (an anonymous one has none).</summary>
    public bool IsV1Authenticate => MessageType == Authenticate && NtResponseLength == V1ResponseLength;

    /// <summary>Reads the message that starts at <paramref name="data"/>; false when it is none.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out NtlmMessage message)
    {
        message = default;
        if (data.Length < TypeOffset + 4 || !data.StartsWith(Signature)) return false;
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(data[TypeOffset..]);
        if (type != Authenticate)
        {
            message = new NtlmMessage(type, 0);
            return type is 1 or 2;
        }
        if (data.Length < AuthenticateFixed) return false;
        message = new NtlmMessage(type, BinaryPrimitives.ReadUInt16LittleEndian(data[NtResponseLengthOffset..]));
        return true;
    }

    /// <summary>
    /// True when <paramref name="data"/> (a security buffer or auth verifier: raw NTLMSSP or wrapped in SPNEGO) holds an
    /// NTLMv1 AUTHENTICATE message. A search for the signature is enough: SPNEGO only wraps the token, it does not change it.
    /// </summary>
    public static bool ContainsV1Authenticate(ReadOnlySpan<byte> data)
    {
        // Bounded: each step moves past one signature match.
        while (data.Length >= AuthenticateFixed)
        {
            int at = data.IndexOf(Signature);
            if (at < 0) return false;
            if (TryRead(data[at..], out var message) && message.IsV1Authenticate) return true;
            data = data[(at + Signature.Length)..];
        }
        return false;
    }
}
