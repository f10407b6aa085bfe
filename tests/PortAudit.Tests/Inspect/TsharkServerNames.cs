using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Inspect;

/// <summary>tshark as the oracle for server names and other wire text: what its dissector reads from a capture, and what inspection reads.</summary>
internal static class TsharkServerNames
{
    /// <summary>
    /// The server names tshark's <paramref name="field"/> gives for <paramref name="capture"/> (with its other
    /// <paramref name="options"/>, such as a decode-as), one a packet that has it, and the sni of each flow inspection made.
    /// </summary>
    public static (string[] Tshark, string?[] Ours) Read(byte[] capture, string field, params string[] options) =>
        ReadValues(capture, field, "sni", options);

    /// <summary>
    /// What tshark's <paramref name="field"/> gives for <paramref name="capture"/>, one a packet that has it, and the
    /// <paramref name="key"/> part of each flow's appDetail, percent-decoded as a reader of appDetail decodes it.
    /// </summary>
    public static (string[] Tshark, string?[] Ours) ReadValues(byte[] capture, string field, string key, params string[] options)
    {
        var path = Path.Combine(Path.GetTempPath(), $"portaudit-server-names-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(path, capture);
        try
        {
            var names = External.Run("tshark", ["-r", path, .. options, "-Y", field, "-T", "fields", "-e", field])
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return (names, [.. InspectTestData.Inspect(capture).Select(f => f.AppDetail?.Find(key) is { } value ? Uri.UnescapeDataString(value) : null)]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
