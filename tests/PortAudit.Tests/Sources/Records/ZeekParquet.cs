using DuckDB.NET.Data;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Zeek TSV conn.logs written to Parquet by DuckDB (<c>COPY ... TO ... (FORMAT parquet)</c>), with Zeek's column names
/// and real types, as a pipeline that lands Zeek logs in Parquet writes them: counts and ports as BIGINT, durations as
/// DOUBLE, ts as DOUBLE epoch seconds or as a TIMESTAMP (text where a btest baseline masks it), and a set
/// (tunnel_parents) as a list of strings, as Zeek's JSON writes it an array.
/// </summary>
internal static class ZeekParquet
{
    private static readonly HashSet<string> Counts =
    [
        "id.orig_p", "id.resp_p", "orig_bytes", "resp_bytes", "missed_bytes", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "ip_proto",
    ];

    /// <summary>Writes the conn.log at <paramref name="log"/> to <paramref name="parquet"/>; <paramref name="tsAsTimestamp"/> types ts TIMESTAMP.</summary>
    public static void Convert(string log, string parquet, bool tsAsTimestamp, IReadOnlyCollection<string>? leaveOut = null)
    {
        string fields = File.ReadLines(log).First(l => l.StartsWith("#fields\t", StringComparison.Ordinal));
        var names = fields.Split('\t').Skip(1).ToArray();
        bool masked = File.ReadLines(log).First(l => !l.StartsWith('#')).StartsWith("XXXXXXXXXX.XXXXXX", StringComparison.Ordinal);
        var select = names.Where(n => leaveOut?.Contains(n) != true).Select(n => $"{Typed(n, tsAsTimestamp, masked)} AS \"{n}\"");
        string columns = string.Join(", ", names.Select(n => $"'{n}'"));
        Sql($"COPY (SELECT {string.Join(", ", select)} FROM read_csv('{Quote(log)}', delim='\\t', header=false, comment='#', " +
            $"names=[{columns}], all_varchar=true, nullstr=['-', '(empty)'], quote='', escape='')) TO '{Quote(parquet)}' (FORMAT parquet)");
    }

    /// <summary>Runs one statement in an in-memory DuckDB (a file's Parquet written by hand for a test).</summary>
    public static void Sql(string statement) => Run(statement, command => command.ExecuteNonQuery());

    /// <summary>The first value of <paramref name="query"/> in an in-memory DuckDB, as text ("" for none).</summary>
    public static string Scalar(string query) =>
        Run(query, command => System.Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "");

    private static T Run<T>(string sql, Func<DuckDBCommand, T> execute)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return execute(command);
    }

    /// <summary><paramref name="path"/> inside a single-quoted SQL string.</summary>
    public static string Quote(string path) => path.Replace("'", "''");

    // ts to the microsecond as Zeek wrote it: a TIMESTAMP from the rounded microseconds, not from a double's truncation.
    private static string Typed(string name, bool tsAsTimestamp, bool masked) => name switch
    {
        "ts" when masked => "ts",
        "tunnel_parents" => "string_split(tunnel_parents, ',')",
        "ts" when tsAsTimestamp => "make_timestamp(CAST(round(CAST(ts AS DOUBLE) * 1000000) AS BIGINT))",
        "ts" or "duration" => $"CAST(\"{name}\" AS DOUBLE)",
        _ when Counts.Contains(name) => $"CAST(\"{name}\" AS BIGINT)",
        _ => $"\"{name}\"",
    };
}
