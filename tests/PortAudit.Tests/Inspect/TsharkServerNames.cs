using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Inspect;

/// <summary>tshark as the oracle for server names: what its dissector reads from a capture, and what inspection reads.</summary>
internal static class TsharkServerNames
{
    /// <summary>
    /// The server names tshark's <paramref name="field"/> gives for <paramref name="capture"/> (with its other
    /// <paramref name="options"/>, such as a decode-as), one a packet that has it, and the sni of each flow inspection made.
    /// </summary>
    public static (string[] Tshark, string?[] Ours) Read(byte[] capture, string field, params string[] options)
    {
        var path = Path.Combine(Path.GetTempPath(), $"portaudit-server-names-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(path, capture);
        try
        {
            var names = External.Run("tshark", ["-r", path, .. options, "-Y", field, "-T", "fields", "-e", field])
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return (names, [.. InspectTestData.Inspect(capture).Select(f => f.AppDetail?.Find("sni"))]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
