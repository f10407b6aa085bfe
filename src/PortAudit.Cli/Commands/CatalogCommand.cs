using System.CommandLine;
using PortAudit.Catalog;
using PortAudit.Cli.Strict;
using PortAudit.Common;
using PortAudit.Report.Catalogs;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit catalog</c>: lists, explains and checks the role catalog.</summary>
public static class CatalogCommand
{
    /// <summary>Builds the command; <paramref name="output"/> replaces stdout (tests pass a StringWriter).</summary>
    public static Command Create(TextWriter? output = null)
    {
        var catalogDir = CatalogDirectory.CreateOption();
        var role = new Option<string?>("--role") { Description = "Only rules with this role on either side." };
        var from = new Option<string?>("--from") { Description = "Only rules whose client side is this role." };
        var to = new Option<string?>("--to") { Description = "Only rules whose listening side is this role." };
        var port = new Option<int?>("--port") { Description = "Only rules that use this TCP or UDP port." }.Accepts(NumberRange.Port);
        var format = OutputOptions.FormatOption(["table", "json"], "table");
        var explain = new Option<string?>("--explain") { Description = "Every rule and role that uses PORT[/tcp|/udp], with provenance." };
        var localRules = CatalogDirectory.CreateLocalRulesOption();
        var check = new Option<bool>("--check") { Description = "Validate the catalog and print counts per product and role." };

        var command = new Command("catalog", "List, explain and check the role catalog (rules/).");
        foreach (var option in new Option[] { catalogDir, localRules, role, from, to, port, format, explain, check })
            command.Options.Add(option);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var writer = output ?? Console.Out;
            RefuseListingOptionsWith(parse, parse.GetValue(check) ? "--check" : parse.GetValue(explain) is null ? null : "--explain",
                [role, from, to, port], format);
            string directory = CatalogDirectory.Resolve(parse.GetValue(catalogDir));
            log.Debug("Loading catalog from {Directory}", directory);
            var catalog = CatalogDirectory.Load(directory, parse, localRules);
            log.Information("Loaded {Rules} rules and {Roles} roles from {Directory}", catalog.Rules.Count, catalog.Roles.Count, directory);

            if (parse.GetValue(check))
            {
                CatalogSummaryWriter.Write(writer, catalog, directory);
                return ExitCodes.Ok;
            }
            if (parse.GetValue(explain) is { } explained)
            {
                if (!PortQuery.TryParse(explained, out var query))
                    throw new InputException($"--explain {explained}: expected PORT, PORT/tcp or PORT/udp with PORT in 1-65535");
                PortExplanationWriter.Write(writer, catalog, query);
                return ExitCodes.Ok;
            }

            var filter = new RuleFilter { Role = parse.GetValue(role), From = parse.GetValue(from), To = parse.GetValue(to), Port = parse.GetValue(port) };
            if (filter.UnknownRoles(catalog).FirstOrDefault() is { } unknown)
                throw new InputException($"unknown role '{unknown}' (see {CatalogLoader.RolesFile} in {directory})");
            var rules = catalog.Rules.Where(filter.Matches).ToList();
            if (parse.GetValue(format) == "json")
                RuleJsonWriter.Write(writer, rules);
            else
                RuleTableWriter.Write(writer, rules, ConsoleTables.For(toStandardOutput: output is null));
            return ExitCodes.Ok;
        }));
        return command;
    }

    // --check and --explain print their own text: the listing's filters and its JSON were taken and silently ignored,
    // so a script asking `--explain 80 -f json` parsed a table.
    private static void RefuseListingOptionsWith(ParseResult parse, string? mode, Option[] filters, Option<string> format)
    {
        if (mode is null) return;
        var given = filters.Where(f => parse.GetResult(f) is not null).Select(f => f.Name).ToList();
        if (parse.GetValue(format) == "json") given.Add("--format json");
        if (given.Count > 0)
            throw new InputException($"{mode} prints its own text: {string.Join(", ", given)} {(given.Count == 1 ? "applies" : "apply")} to the rule listing (catalog without {mode}), not to it");
    }
}
