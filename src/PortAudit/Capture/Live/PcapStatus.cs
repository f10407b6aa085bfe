namespace PortAudit.Capture.Live;

/// <summary>Turns libpcap's status codes and messages into the messages users act on.</summary>
internal static class PcapStatus
{
    internal const string PermissionDenied = "permission denied: capturing needs root or CAP_NET_RAW (setcap cap_net_raw,cap_net_admin=eip)";

    /// <summary>The exception for a failed pcap_activate or setup call on <paramref name="device"/>.</summary>
    internal static LiveCaptureException Failure(string device, int status, string detail)
    {
        string message = status switch
        {
            LibPcap.ErrorPermissionDenied or LibPcap.ErrorPromiscuousPermissionDenied => PermissionDenied,
            LibPcap.ErrorNoSuchDevice => "no such interface (see 'portaudit interfaces')",
            LibPcap.ErrorInterfaceNotUp => "interface is down",
            // Some paths report a missing capability or device only in the text of a generic error.
            _ when IsPermissionText(detail) => PermissionDenied,
            _ when detail.Contains("No such device", StringComparison.OrdinalIgnoreCase) => "no such interface (see 'portaudit interfaces')",
            _ => detail.Length > 0 ? detail : $"libpcap error {status}",
        };
        return new LiveCaptureException($"{device}: {message}");
    }

    private static bool IsPermissionText(string detail) =>
        detail.Contains("permission", StringComparison.OrdinalIgnoreCase)
        || detail.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase);
}
