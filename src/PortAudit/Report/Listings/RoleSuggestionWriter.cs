using System.Globalization;
using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Report.Json;

namespace PortAudit.Report.Listings;

/// <summary>Writes role suggestions as text for people or as a JSON array.</summary>
public static class RoleSuggestionWriter
{
    /// <summary>
    /// One block per host: its served ports (with what servers selected inside TLS there, which explains a role the
    /// port's number alone would suggest and is missing), then one line per suggested role with score and evidence.
    /// </summary>
    public static void WriteText(TextWriter writer, IReadOnlyList<HostSuggestion> hosts)
    {
        if (hosts.Count == 0)
            writer.WriteLine("no host (outside the inventory, if one was given) answered on any port");
        foreach (var host in hosts)
        {
            writer.WriteLine($"{host.Address} served " + string.Join(", ", host.Served.Select(Describe)));
            if (host.Roles.Count == 0)
                writer.WriteLine("  no catalog role names these ports");
            foreach (var role in host.Roles)
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {role.Score:0.00}  {role.Role}  ({role.RolePortsSeen} of {role.RolePorts} role ports)  ") +
                    string.Join(", ", role.Evidence.Select(e => $"{e.Service} {e.Rule.Protocol} [{e.Rule.Id}]")));
        }
    }

    // "tcp/636 (3 flows, carrying http)": the same words as the JSON's "carried".
    private static string Describe(ServedService service) => service.Carried.Count == 0
        ? $"{service} ({service.Flows} flows)"
        : $"{service} ({service.Flows} flows, carrying {string.Join(", ", service.Carried.Select(app => app.Name))})";

    /// <summary>[{address, served: [{transport, port, flows, apps, carried?}], roles: [{role, score, rolePortsSeen, rolePorts, evidence: [{service, flows, rule, protocol}]}]}]</summary>
    public static void WriteJson(Stream output, IReadOnlyList<HostSuggestion> hosts)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartArray();
            foreach (var host in hosts)
            {
                json.WriteStartObject();
                json.WriteString("address", host.Address.ToString());
                json.WriteStartArray("served");
                foreach (var service in host.Served) WriteService(json, service);
                json.WriteEndArray();
                json.WriteStartArray("roles");
                foreach (var role in host.Roles) WriteRole(json, role);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    private static void WriteService(Utf8JsonWriter json, ServedService service)
    {
        json.WriteStartObject();
        json.WriteString("transport", Common.TransportNames.Name(service.Transport));
        json.WriteNumber("port", service.Port);
        json.WriteNumber("flows", service.Flows);
        JsonOutput.WriteStrings(json, "apps", service.Apps.Select(app => app.Name).ToList());
        // Why a role whose port it is may be missing: the server chose another application inside TLS.
        if (service.Carried.Count > 0) JsonOutput.WriteStrings(json, "carried", service.Carried.Select(app => app.Name).ToList());
        json.WriteEndObject();
    }

    private static void WriteRole(Utf8JsonWriter json, RoleSuggestion role)
    {
        json.WriteStartObject();
        json.WriteString("role", role.Role);
        json.WriteNumber("score", role.Score);
        json.WriteNumber("rolePortsSeen", role.RolePortsSeen);
        json.WriteNumber("rolePorts", role.RolePorts);
        json.WriteStartArray("evidence");
        foreach (var e in role.Evidence)
        {
            json.WriteStartObject();
            json.WriteString("service", e.Service.ToString());
            json.WriteNumber("flows", e.Service.Flows);
            json.WriteString("rule", e.Rule.Id);
            json.WriteString("protocol", e.Rule.Protocol);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
