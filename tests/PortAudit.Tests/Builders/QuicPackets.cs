using System.Buffers.Binary;
using System.Security.Cryptography;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Tests.Builders;

/// <summary>
/// QUIC client Initials (RFC 9000 17.2.2) protected as RFC 9001 5.3 and 5.4 say: the payload sealed with AES-128-GCM,
/// then the header masked from a sample of the ciphertext. The inverse of the inspector's reading; the keys are the
/// product's (<see cref="QuicInitialProtection.ClientKeys"/>, checked on their own against RFC 9001 A.1), the sealing
/// and masking are this builder's, checked by rebuilding the RFC's protected packets byte for byte.
/// </summary>
public static class QuicPackets
{
    /// <summary>The wire's version fields.</summary>
    public const uint Version1 = 1, Version2 = 0x6b3343cf, Draft29 = 0xff00001d;

    /// <summary>The client's Destination Connection ID of RFC 9001 Appendix A.</summary>
    public static readonly byte[] ExampleDestination = Convert.FromHexString("8394c8f03e515708");

    /// <summary>The client's Source Connection ID the builder uses unless told.</summary>
    public static readonly byte[] ClientSource = Convert.FromHexString("c1c2c3c4");

    private const int TagLength = 16;

    /// <summary>A variable-length integer (RFC 9000 16) in its shortest form.</summary>
    public static byte[] Varint(long value) => value switch
    {
        < 64 => [(byte)value],
        < 16384 => [(byte)(0x40 | value >> 8), (byte)value],
        < 1 << 30 => [(byte)(0x80 | value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value],
        _ => [(byte)(0xC0 | value >> 56), (byte)(value >> 48), (byte)(value >> 40), (byte)(value >> 32), (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value],
    };

    /// <summary>A CRYPTO frame: type 6, offset, length, the bytes.</summary>
    public static byte[] Crypto(long offset, ReadOnlySpan<byte> data) => [0x06, .. Varint(offset), .. Varint(data.Length), .. data];

    /// <summary>
    /// A protected client Initial carrying <paramref name="frames"/>, padded with PADDING frames to
    /// <paramref name="payloadLength"/> bytes of plaintext (or so that the packet alone makes a 1200-byte datagram), with a
    /// 2-byte Length and a packet number of <paramref name="numberLength"/> bytes.
    /// </summary>
    public static byte[] Initial(byte[] frames, uint version = Version1, byte[]? destination = null, byte[]? source = null,
        uint packetNumber = 0, int numberLength = 4, int? payloadLength = null, byte[]? token = null)
    {
        destination ??= ExampleDestination;
        source ??= ClientSource;
        token ??= [];
        int typeBits = version == Version2 ? 1 : 0;
        byte[] start = [(byte)(0xC0 | typeBits << 4 | (numberLength - 1)), .. BigEndian(version, 4), (byte)destination.Length, .. destination,
            (byte)source.Length, .. source, .. Varint(token.Length), .. token];
        int headerLength = start.Length + 2 + numberLength;
        int payload = Math.Max(frames.Length, payloadLength ?? QuicInspector.MinClientDatagram - headerLength - TagLength);
        int length = numberLength + payload + TagLength;
        byte[] header = [.. start, (byte)(0x40 | length >> 8), (byte)length, .. BigEndian(packetNumber, numberLength)];
        var plaintext = new byte[payload];
        frames.CopyTo(plaintext, 0);
        return Protect(header, plaintext, QuicVersion.Kind(version), destination, numberLength);
    }

    /// <summary>
    /// The client's first datagram: one Initial whose CRYPTO frame holds <paramref name="hello"/> (a handshake message,
    /// header included), 1200 bytes in all.
    /// </summary>
    public static byte[] ClientInitial(byte[] hello, uint version = Version1, byte[]? destination = null) =>
        Initial(Crypto(0, hello), version, destination);

    /// <summary>A long-header packet of the server to the client's Source Connection ID, unprotected (the inspector reads its header only).</summary>
    public static byte[] ServerLongHeader(uint version = Version1, byte[]? clientSource = null, int typeBits = 0)
    {
        clientSource ??= ClientSource;
        byte[] serverSource = [0x5e, 0x5e, 0x5e, 0x5e];
        return [(byte)(0xC0 | typeBits << 4 | 1), .. BigEndian(version, 4), (byte)clientSource.Length, .. clientSource,
            (byte)serverSource.Length, .. serverSource, 0, 0x40, 40, .. new byte[40]];
    }

    /// <summary>A Version Negotiation packet (RFC 9000 17.2.1) answering a client whose Source Connection ID was <paramref name="clientSource"/>.</summary>
    public static byte[] VersionNegotiation(byte[]? clientSource = null) =>
        [0x80, 0, 0, 0, 0, (byte)(clientSource ?? ClientSource).Length, .. clientSource ?? ClientSource, 8, .. ExampleDestination, 0, 0, 0, 1];

    // RFC 9001 5.3: the nonce is the IV XOR the packet number; the AAD the header as it is before masking. Then 5.4.
    private static byte[] Protect(byte[] header, byte[] plaintext, byte version, byte[] destination, int numberLength)
    {
        byte[] key = new byte[16], iv = new byte[12], hp = new byte[16];
        QuicInitialProtection.ClientKeys(version, destination, key, iv, hp);
        var nonce = (byte[])iv.Clone();
        for (int i = 0; i < numberLength; i++) nonce[12 - numberLength + i] ^= header[header.Length - numberLength + i];
        var sealedPayload = new byte[plaintext.Length];
        var tag = new byte[TagLength];
        using (var gcm = new AesGcm(key, TagLength)) gcm.Encrypt(nonce, plaintext, sealedPayload, tag, header);
        byte[] packet = [.. header, .. sealedPayload, .. tag];
        int numberAt = header.Length - numberLength;
        using var aes = Aes.Create();
        aes.Key = hp;
        var mask = aes.EncryptEcb(packet.AsSpan(numberAt + 4, 16), PaddingMode.None);
        packet[0] ^= (byte)(mask[0] & 0x0F);
        for (int i = 0; i < numberLength; i++) packet[numberAt + i] ^= mask[1 + i];
        return packet;
    }

    private static byte[] BigEndian(uint value, int length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes[(4 - length)..];
    }
}
