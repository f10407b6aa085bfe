using System.Security.Cryptography;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The protection of a QUIC client's Initial packets (RFC 9001 5.2 to 5.4, RFC 9369 3.3): keys derived from the
/// Destination Connection ID the client chose and its version's salt, which every reader knows, AES-128-GCM over the payload, AES-128-ECB
/// over a sample for the header. Removing it proves the packet is a QUIC Initial: a forgery of the 16-byte tag is no
/// accident of other traffic.
/// </summary>
public static class QuicInitialProtection
{
    /// <summary>Bytes of the AEAD key and of the header protection key.</summary>
    public const int KeyLength = 16;

    /// <summary>Bytes of the AEAD nonce's base (the IV).</summary>
    public const int IvLength = 12;

    /// <summary>Bytes of the AEAD tag that ends the protected payload.</summary>
    public const int TagLength = 16;

    /// <summary>Bytes of the ciphertext sampled for header protection, taken 4 bytes after the packet number's start.</summary>
    public const int SampleLength = 16;

    private const int SecretLength = 32, MaxPacketNumberLength = 4;

    private static ReadOnlySpan<byte> SaltV1 => [0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a];
    private static ReadOnlySpan<byte> SaltV2 => [0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9];
    private static ReadOnlySpan<byte> SaltDraft29 => [0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99];
    private static ReadOnlySpan<byte> SaltDraft23 => [0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02];
    private static ReadOnlySpan<byte> SaltDraft22 => [0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a];
    private static ReadOnlySpan<byte> SaltQ050 => [0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94, 0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45];
    private static ReadOnlySpan<byte> SaltT050 => [0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10];
    private static ReadOnlySpan<byte> SaltT051 => [0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d];

    /// <summary>
    /// The client's Initial key, IV and header protection key for a <paramref name="version"/> (a
    /// <see cref="QuicVersion"/> kind) and the client's <paramref name="destination"/> connection ID.
    /// </summary>
    public static void ClientKeys(byte version, ReadOnlySpan<byte> destination, Span<byte> key, Span<byte> iv, Span<byte> hp)
    {
        Span<byte> initial = stackalloc byte[SecretLength], client = stackalloc byte[SecretLength];
        HKDF.Extract(HashAlgorithmName.SHA256, destination, Salt(version), initial);
        ExpandLabel(initial, "client in"u8, client);
        bool v2 = version == QuicVersion.V2;
        ExpandLabel(client, v2 ? "quicv2 key"u8 : "quic key"u8, key[..KeyLength]);
        ExpandLabel(client, v2 ? "quicv2 iv"u8 : "quic iv"u8, iv[..IvLength]);
        ExpandLabel(client, v2 ? "quicv2 hp"u8 : "quic hp"u8, hp[..KeyLength]);
    }

    /// <summary>HKDF-Expand-Label of TLS 1.3 (RFC 8446 7.1) with an empty context, SHA-256.</summary>
    public static void ExpandLabel(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> label, Span<byte> output)
    {
        // HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255> (empty).
        Span<byte> info = stackalloc byte[2 + 1 + 6 + label.Length + 1];
        info[0] = (byte)(output.Length >> 8);
        info[1] = (byte)output.Length;
        info[2] = (byte)(6 + label.Length);
        "tls13 "u8.CopyTo(info[3..]);
        label.CopyTo(info[9..]);
        info[^1] = 0;
        HKDF.Expand(HashAlgorithmName.SHA256, secret, output, info);
    }

    /// <summary>
    /// Removes the protection of the long-header <paramref name="packet"/> (its first byte to the end its Length field
    /// gives; the packet number starts at <paramref name="packetNumberAt"/>) and opens its payload into
    /// <paramref name="plaintext"/> (as long as the packet); false when the packet is too short for a sample and a tag,
    /// or does not authenticate. <paramref name="header"/> (as long as the packet) holds the unprotected header.
    /// </summary>
    /// <remarks>
    /// Each call makes an AES and an AES-GCM object (the platform keeps its keys in native handles): a few per QUIC flow,
    /// as the inspector opens at most the client's first few Initials.
    /// </remarks>
    public static bool TryOpen(ReadOnlySpan<byte> packet, int packetNumberAt, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> hp, Span<byte> header, Span<byte> plaintext, out int length)
    {
        length = 0;
        if (packetNumberAt + MaxPacketNumberLength + SampleLength > packet.Length) return false;
        Span<byte> mask = stackalloc byte[SampleLength];
        using (var aes = Aes.Create())
        {
            aes.SetKey(hp[..KeyLength]);
            aes.EncryptEcb(packet.Slice(packetNumberAt + MaxPacketNumberLength, SampleLength), mask, PaddingMode.None);
        }
        // Long header: the low 4 bits of the first byte are protected, the last 2 of them the packet number's length - 1.
        byte first = (byte)(packet[0] ^ (mask[0] & 0x0F));
        int numberLength = (first & 3) + 1, payloadAt = packetNumberAt + numberLength;
        if (payloadAt + TagLength > packet.Length) return false;
        packet[..payloadAt].CopyTo(header);
        header[0] = first;
        Span<byte> nonce = stackalloc byte[IvLength];
        iv[..IvLength].CopyTo(nonce);
        for (int i = 0; i < numberLength; i++)
        {
            header[packetNumberAt + i] ^= mask[1 + i];
            // The packet number, right-aligned, XORed into the IV (RFC 9001 5.3); an Initial's is small, read as sent.
            nonce[IvLength - numberLength + i] ^= header[packetNumberAt + i];
        }
        length = packet.Length - payloadAt - TagLength;
        using var gcm = new AesGcm(key[..KeyLength], TagLength);
        try
        {
            gcm.Decrypt(nonce, packet.Slice(payloadAt, length), packet[^TagLength..], plaintext[..length], header[..payloadAt]);
            return true;
        }
        catch (CryptographicException)
        {
            // The tag does not match: no Initial of this version and connection ID. At most a few per flow.
            length = 0;
            return false;
        }
    }

    // Each version's salt (RFC 9001 5.2 and the drafts before it); the Initials of every kind in ../shared's captures open
    // with these (QuicVersionTsharkTests).
    private static ReadOnlySpan<byte> Salt(byte version) => version switch
    {
        QuicVersion.V1 or 33 or 34 => SaltV1,
        QuicVersion.V2 => SaltV2,
        QuicVersion.Mvfst22 => SaltDraft22,
        QuicVersion.Mvfst27 or QuicVersion.MvfstExperimental or (>= 23 and <= 28) => SaltDraft23,
        QuicVersion.Q050 => SaltQ050,
        QuicVersion.T050 => SaltT050,
        QuicVersion.T051 => SaltT051,
        _ => SaltDraft29,
    };
}
