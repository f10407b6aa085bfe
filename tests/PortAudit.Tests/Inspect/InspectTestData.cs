using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Tests.Inspect;

/// <summary>Where the shared captures are: ../shared/captures beside the repository.</summary>
public static class InspectTestData
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The shared captures folder, or null when ../shared is absent.</summary>
    public static string? Captures
    {
        get
        {
            if (Root.Value is not { } root) return null;
            string path = Path.GetFullPath(Path.Combine(root, "..", "shared", "captures"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>Full path of a shared capture.</summary>
    public static string Capture(string name) => Path.Combine(Captures ?? throw new InvalidOperationException("no shared captures"), name);

    /// <summary>Reads captures through the flow table with an inspection engine; returns every flow ended and the engine.</summary>
    public static (List<Flow> Flows, InspectionEngine Engine) Inspect(params string[] paths)
    {
        var engine = new InspectionEngine();
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), engine, collector);
        new TrafficReader(table).ReadAll(paths);
        return (collector.Flows, engine);
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PortAudit.sln"))) return dir.FullName;
        return null;
    }

    private sealed class FlowCollector : IFlowObserver
    {
        public List<Flow> Flows { get; } = new();

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow) => Flows.Add(flow);
    }
}

/// <summary>A fact that needs ../shared/captures; skipped, with the reason shown, when it is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when the shared captures cannot be found.</summary>
    public SharedDataFactAttribute()
    {
        if (InspectTestData.Captures is null) Skip = "../shared/captures not found beside the repository";
    }
}
