using System.Security.Cryptography;
using System.Text;

namespace PortAudit.Audit;

/// <summary>
/// Computes a finding's stable id from the fields that say what it is (never from counts or times, which change between
/// runs): a report, a baseline and a suppression name the same finding the same way.
/// </summary>
public static class FindingIdentity
{
    /// <summary>16 lower-case hex digits of SHA-256 over the kind, the two ends, the transport, the ports and the rule.</summary>
    public static string Of(FindingKind kind, string clientHost, string serverHost, string transport, string ports, string? rule)
    {
        // Fields are joined with a separator no host name, port list or rule id contains, so no two findings collide by concatenation.
        string key = string.Join('\u001F', kind.Name(), clientHost, serverHost, transport, ports, rule ?? "");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
