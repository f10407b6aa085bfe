using SharpPcap;

namespace PortAudit.Sources.Live;

/// <summary>Turns SharpPcap's failures to open an interface into the messages users act on.</summary>
internal static class PcapFailure
{
    internal const string PermissionDenied = "permission denied: capturing needs root or CAP_NET_RAW (setcap cap_net_raw,cap_net_admin=eip)";
    internal const string NoSuchInterface = "no such interface (see 'portaudit interfaces')";

    /// <summary>The exception for a failure to open or configure <paramref name="device"/>.</summary>
    internal static LiveCaptureException Opening(string device, PcapException failure) =>
        new($"{device}: {Message(failure.Error, failure.Message)}");

    /// <summary>The message for libpcap's status <paramref name="error"/>, with SharpPcap's text as the fallback.</summary>
    internal static string Message(PcapError error, string detail) => error switch
    {
        PcapError.PermissionDenied or PcapError.PromiscuousPermissionDenied => PermissionDenied,
        PcapError.NoSuchDevice => NoSuchInterface,
        PcapError.InterfaceNotUp => "interface is down",
        // pcap_create and some activation paths report a missing capability or device only in the text of a generic error.
        _ when IsPermissionText(detail) => PermissionDenied,
        _ when detail.Contains("No such device", StringComparison.OrdinalIgnoreCase) => NoSuchInterface,
        _ => detail.Length > 0 ? detail : $"libpcap error {error}",
    };

    private static bool IsPermissionText(string detail) =>
        detail.Contains("permission", StringComparison.OrdinalIgnoreCase)
        || detail.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase);
}
