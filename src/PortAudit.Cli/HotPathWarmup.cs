using System.Reflection;
using System.Runtime.CompilerServices;
using PortAudit.Flows;

namespace PortAudit.Cli;

/// <summary>
/// Compiles the per-packet methods on a spare core while the command line is parsed and the first packets are read.
/// They are marked for full optimisation, which ready-to-run images leave to the JIT: without this, the flow
/// table's thread would compile each on its first call, with the decoding thread already waiting on it.
/// </summary>
internal static class HotPathWarmup
{
    /// <summary>Starts compiling in the background; the process does not wait for it.</summary>
    public static void Start() => new Thread(Prepare) { IsBackground = true, Name = "portaudit-warmup" }.Start();

    private static void Prepare()
    {
        const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        try
        {
            foreach (var type in typeof(PortAudit.Pipeline.TrafficRun).Assembly.GetTypes())
            {
                if (type.ContainsGenericParameters) continue;
                foreach (var method in type.GetMethods(Declared))
                {
                    if ((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0) continue;
                    if (method.IsAbstract || method.ContainsGenericParameters) continue;
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
        }
        catch (Exception)
        {
            // Only a head start: whatever is not compiled here is compiled on first use, as usual.
        }
    }
}
