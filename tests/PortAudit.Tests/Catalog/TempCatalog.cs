using PortAudit.Catalog;

namespace PortAudit.Tests.Catalog;

/// <summary>A throw-away catalog directory with small roles and features files, for loader tests.</summary>
internal sealed class TempCatalog : IDisposable
{
    public const string Roles = """
        roles:
          - id: client
            description: A client.
          - id: server
            description: A server.
        """;

    public const string Features = """
        features:
          - id: federation
            description: Federation.
        """;

    public TempCatalog(string rules, string roles = Roles, string features = Features)
    {
        Directory.CreateDirectory(Path.Combine(Root, "rules"));
        File.WriteAllText(Path.Combine(Dir, "roles.yaml"), roles);
        File.WriteAllText(Path.Combine(Dir, "features.yaml"), features);
        File.WriteAllText(Path.Combine(Dir, "test.yaml"), rules);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "portaudit-catalog-" + Guid.NewGuid().ToString("N"));

    public string Dir => Path.Combine(Root, "rules");

    public void Add(string fileName, string text) => File.WriteAllText(Path.Combine(Dir, fileName), text);

    /// <summary>The site rule file beside the catalog (ROOT/site.yaml) that <see cref="LoadWithSite"/> writes.</summary>
    public string SitePath => Path.Combine(Root, "site.yaml");

    /// <summary>Writes <paramref name="siteRules"/> to <see cref="SitePath"/> and loads the catalog with it, as <c>--local-rules</c> does.</summary>
    public RoleCatalog LoadWithSite(string siteRules)
    {
        File.WriteAllText(SitePath, siteRules);
        return CatalogLoader.Load(Dir, [SitePath]);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>A valid rule file; tests replace one line to make exactly one mistake.</summary>
    public const string ValidRules = """
        product: demo
        sourceFile: doc.txt
        rules:
          - id: demo-sip
            from: client
            to: server
            transport: tcp
            ports: 5061
            protocol: sip-tls
            conditions: [federation]
            source:
              section: Ports
              row: "5061 TCP SIP"
          - id: demo-rpc
            from: any
            to: server
            transport: both
            ports: [135, 5000-5020]
            protocol: epm
            source:
              section: Ports
              row: "135 TCP RPC"
        """;
}
