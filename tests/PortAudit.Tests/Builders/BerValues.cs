namespace PortAudit.Tests.Builders;

/// <summary>ASN.1 BER values as encoders write them: each length in its shortest form, or in a long form of a fixed size.</summary>
public static class BerValues
{
    /// <summary>
    /// A tag, its length and the parts joined as its value; the length in <paramref name="lengthBytes"/> bytes after 0x80
    /// plus that count (Windows writes LDAP's in 4, Kerberos' in 2), or in its shortest form when 0.
    /// </summary>
    public static byte[] Tlv(byte tag, int lengthBytes, params byte[][] parts)
    {
        var value = parts.SelectMany(p => p).ToArray();
        if (lengthBytes == 0 && value.Length < 0x80) return [tag, (byte)value.Length, .. value];
        int count = lengthBytes > 0 ? lengthBytes : value.Length < 0x100 ? 1 : value.Length < 0x10000 ? 2 : 4;
        var length = new byte[count];
        for (int i = 0; i < count; i++) length[i] = (byte)(value.Length >> (8 * (count - 1 - i)));
        return [tag, (byte)(0x80 | count), .. length, .. value];
    }

    /// <summary><see cref="Tlv(byte, int, byte[][])"/> with the length in its shortest form.</summary>
    public static byte[] Tlv(byte tag, params byte[][] parts) => Tlv(tag, 0, parts);
}
