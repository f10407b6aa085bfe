namespace PortAudit.Common;

/// <summary>Names of the native libraries the project calls into directly.</summary>
internal static class NativeLibraries
{
    /// <summary>
    /// glibc, by its versioned name: "libc.so" is a linker script on glibc systems, which the loader cannot open.
    /// </summary>
    public const string C = "libc.so.6";
}
