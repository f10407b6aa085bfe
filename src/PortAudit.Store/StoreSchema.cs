using Npgsql;
using PortAudit.Common;

namespace PortAudit.Store;

/// <summary>The store's state as <c>portaudit store status</c> shows it.</summary>
/// <param name="Version">The schema version in the database; 0 when it has no PortAudit schema.</param>
/// <param name="Partitions">Day partitions of the flows table; null for an engine without (DuckDB).</param>
/// <param name="FlowsBySensor">Flows per sensor.</param>
/// <param name="FirstNs">Start of the earliest flow, nanoseconds since the epoch; 0 when empty.</param>
/// <param name="LastNs">Start of the latest flow; 0 when empty.</param>
public sealed record StoreStatus(int Version, int? Partitions, IReadOnlyList<(string Sensor, long Flows)> FlowsBySensor, long FirstNs, long LastNs)
{
    /// <summary>The query of flows per sensor and the first and last start, over the flows table of either engine.</summary>
    internal const string BySensorQuery = "SELECT sensor, count(*), min(start_ns), max(start_ns) FROM portaudit.flows GROUP BY sensor ORDER BY sensor";

    /// <summary>The status of a store at <paramref name="version"/> whose flows <paramref name="bySensor"/> (<see cref="BySensorQuery"/>) reads.</summary>
    internal static StoreStatus Of(int version, int? partitions, System.Data.Common.DbCommand bySensor)
    {
        var sensors = new List<(string, long)>();
        long first = 0, last = 0;
        using (var reader = bySensor.ExecuteReader())
        {
            while (reader.Read())
            {
                sensors.Add((reader.GetString(0), reader.GetInt64(1)));
                first = first == 0 ? reader.GetInt64(2) : Math.Min(first, reader.GetInt64(2));
                last = Math.Max(last, reader.GetInt64(3));
            }
        }
        return new StoreStatus(version, partitions, sensors, first, last);
    }
}

/// <summary>
/// The store's schema, created and versioned by the tool: migrations in order, each applied once in its own
/// transaction under an advisory lock (several sensors may start at once), recorded in
/// <c>portaudit.schema_version</c>. A migration is never edited once released; a change is a new one.
/// </summary>
public static class StoreSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public static int Version => Migrations.Length;

    // Serialises migrations and partition creation across writers (the same number is in ensure_flow_partitions).
    internal const long LockKey = 0x506f_7274_4175_6469; // "PortAudi"

    // Version 1. The flows table is partitioned by the day of a flow's start (UTC); partitions are made on demand by
    // ensure_flow_partitions. A flow's identity is its sensor, its input and its 5-tuple at its start: re-importing a
    // capture meets the same keys and adds nothing (ingest inserts with ON CONFLICT DO NOTHING).
    private const string V1 = """
        CREATE SCHEMA IF NOT EXISTS portaudit;
        CREATE TABLE portaudit.flows (
            sensor text NOT NULL,
            input text NOT NULL,
            id bigint NOT NULL,
            start timestamptz NOT NULL,
            "end" timestamptz NOT NULL,
            duration text NOT NULL,
            transport text NOT NULL,
            client inet NOT NULL,
            client_port integer NOT NULL,
            server inet NOT NULL,
            server_port integer NOT NULL,
            community_id text,
            packets_to_server bigint NOT NULL,
            bytes_to_server bigint NOT NULL,
            packets_to_client bigint NOT NULL,
            bytes_to_client bigint NOT NULL,
            state text NOT NULL,
            app text,
            app_detail text,
            rpc_interface text,
            rpc_interface_uuid text,
            rpc_source text,
            evidence text NOT NULL,
            record_id text,
            icmp_errors bigint NOT NULL,
            icmp_error text,
            protocol smallint NOT NULL,
            start_ns bigint NOT NULL,
            end_ns bigint NOT NULL,
            first_frame bigint NOT NULL,
            icmp_type smallint NOT NULL,
            icmp_code smallint NOT NULL,
            icmp_error_protocol smallint,
            icmp_error_type smallint,
            icmp_error_code smallint,
            icmp_error_sender inet,
            rpc_major integer,
            rpc_minor integer,
            app_detail_keys text[],
            app_detail_values text[],
            CONSTRAINT flows_identity UNIQUE (sensor, input, start, start_ns, protocol, client, client_port, server, server_port)
        ) PARTITION BY RANGE (start);
        COMMENT ON TABLE portaudit.flows IS 'PortAudit flow records, one partition per UTC day; see docs/store.md';

        CREATE FUNCTION portaudit.ensure_flow_partitions(days date[]) RETURNS integer LANGUAGE plpgsql AS $$
        DECLARE
            d date;
            made integer := 0;
        BEGIN
            FOREACH d IN ARRAY days LOOP
                IF to_regclass(format('portaudit.%I', 'flows_' || to_char(d, 'YYYYMMDD'))) IS NULL THEN
                    -- Writers create partitions one at a time; one that lost the race finds the table made.
                    PERFORM pg_advisory_xact_lock(5795977089089102953);
                    BEGIN
                        EXECUTE format('CREATE TABLE portaudit.%I PARTITION OF portaudit.flows FOR VALUES FROM (%L) TO (%L)',
                            'flows_' || to_char(d, 'YYYYMMDD'), d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
                        made := made + 1;
                    EXCEPTION WHEN duplicate_table OR unique_violation THEN
                        NULL;
                    END;
                END IF;
            END LOOP;
            RETURN made;
        END
        $$;
        """;

    // Version 2. What a flow's sides rest on and who sent its first packet (null in rows of version 1: taken as
    // stored), so that an audit takes a guess from ports again with its catalog's ports as an audit of the capture
    // does; the weaknesses and every DCE/RPC interface bound with its operations, which the audit judges; and a flow record's place among its input's flows in the identity, which keeps apart the events a firewall
    // logs in one second on one 5-tuple (0 for flows with a frame: their identity is version 1's, and a capture
    // imported before still adds nothing).
    private const string V2 = """
        ALTER TABLE portaudit.flows
            ADD COLUMN
                sides text,
            ADD COLUMN
                first_from_server boolean,
            ADD COLUMN
                record_ordinal bigint NOT NULL DEFAULT 0,
            ADD COLUMN
                weakness smallint NOT NULL DEFAULT 0,
            ADD COLUMN
                rpc_calls text[],
            ADD COLUMN
                rpc_more_bindings boolean,
            ADD COLUMN
                rpc_uninspectable text;
        ALTER TABLE portaudit.flows DROP CONSTRAINT flows_identity;
        ALTER TABLE portaudit.flows ADD CONSTRAINT flows_identity
            UNIQUE (sensor, input, start, start_ns, record_ordinal, protocol, client, client_port, server, server_port);
        """;

    // Version 3. The tunnel a flow came in (GRE, IP-in-IP, 6in4, VXLAN, Geneve), by its Community ID: the community_id of
    // the tunnel's own flow; null for a flow outside any, and in the rows of earlier versions.
    private const string V3 = """
        ALTER TABLE portaudit.flows
            ADD COLUMN
                tunnel text;
        """;

    // Version 4. Whether the flow was still held when its input ended, less than 1 s after it began (flows.jsonl's cutOff):
    // an opening unanswered then is no failed attempt. Null in the rows of earlier versions, read as false.
    private const string V4 = """
        ALTER TABLE portaudit.flows
            ADD COLUMN
                cut_off boolean;
        """;

    // Version 5. That another flow announced the flow (a device's answer to an SSDP search, the media of an SDP offer, a
    // TFTP transfer, FTP data): where no rule between the ends names its protocol, a dynamic RPC range holding its port
    // does not make it a protocol mismatch (docs/audit.md). Null in the rows of earlier versions, read as not announced.
    private const string V5 = """
        ALTER TABLE portaudit.flows
            ADD COLUMN
                announced boolean;
        """;

    // Version 6. The identity gains the flow's first frame in its input: a capture can hold two flows on one 5-tuple from
    // the same instant (the same traffic twice, its clock gone back between them), which its audit counts as two and the
    // store kept as one. A frame is the flow's place in its input, the same at every import: a capture imported before
    // still adds nothing; a flow record's frame is 0, its record_ordinal keeps it apart.
    private const string V6 = """
        ALTER TABLE portaudit.flows DROP CONSTRAINT flows_identity;
        ALTER TABLE portaudit.flows ADD CONSTRAINT flows_identity
            UNIQUE (sensor, input, start, start_ns, record_ordinal, first_frame, protocol, client, client_port, server, server_port);
        """;

    // Version 7. The outer ends of the tunnel a flow came in, "udp 10.40.101.21 49840 198.51.100.10 4789", which name the
    // tunnel in a finding ("vxlan 10.40.101.21:49840 → 198.51.100.10:4789") as the audit of the capture named it. Null
    // outside any tunnel, and in the rows of earlier versions: their tunnel is named by its Community ID alone.
    private const string V7 = """
        ALTER TABLE portaudit.flows
            ADD COLUMN
                tunnel_outer text;
        """;

    private static readonly string[] Migrations = [V1, V2, V3, V4, V5, V6, V7];

    /// <summary>The SQL of migration <paramref name="version"/> (1-based).</summary>
    internal static string Migration(int version) => Migrations[version - 1];

    /// <summary>
    /// Brings the store to <see cref="Version"/>: creates the schema in an empty database, applies the migrations it
    /// lacks. Returns how many were applied.
    /// </summary>
    /// <exception cref="InputException">The store is newer than this build, or a migration failed.</exception>
    public static int Migrate(StoreLocation store) => Migrate(store, Version);

    /// <summary>Brings the store to <paramref name="target"/> (an older version: for tests of the way up).</summary>
    internal static int Migrate(StoreLocation store, int target)
    {
        using var connection = store.Connect();
        using var transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({LockKey})");
        Execute(connection, """
            CREATE SCHEMA IF NOT EXISTS portaudit;
            CREATE TABLE IF NOT EXISTS portaudit.schema_version (
                version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now(), tool text NOT NULL)
            """);
        int current = CurrentVersion(connection);
        if (current > Version) throw TooNew(store.Display, current);
        for (int version = current + 1; version <= target; version++)
        {
            Execute(connection, Migrations[version - 1]);
            using var record = new NpgsqlCommand("INSERT INTO portaudit.schema_version (version, tool) VALUES ($1, $2)", connection);
            record.Parameters.AddWithValue(version);
            record.Parameters.AddWithValue(Report.Digests.ToolVersion);
            record.ExecuteNonQuery();
        }
        transaction.Commit();
        return Math.Max(0, target - current);
    }

    /// <summary>
    /// Makes sure a writer or reader can use the store: an empty database gets the schema (a first sensor needs no
    /// separate step); an older one must be migrated on purpose, a newer one needs a newer build.
    /// </summary>
    /// <exception cref="InputException">The store's version is not this build's.</exception>
    internal static void Prepare(StoreLocation store, NpgsqlConnection connection, bool create)
    {
        int current = CurrentVersion(connection);
        if (current == 0 && create)
        {
            Migrate(store);
            return;
        }
        Check(store.Display, current);
    }

    /// <summary>Refuses a store, of either engine, whose schema is not this build's (<paramref name="current"/>: its version, 0 for none).</summary>
    /// <exception cref="InputException">No schema, an older one (migrate on purpose) or a newer one (a newer build).</exception>
    internal static void Check(string store, int current)
    {
        if (current == 0) throw new InputException($"store {store} holds no PortAudit schema: run 'portaudit store init --store {store}'");
        if (current > Version) throw TooNew(store, current);
        if (current < Version)
            throw new InputException($"store {store} is at schema version {current}, this build uses {Version}: run 'portaudit store migrate --store URL'");
    }

    /// <summary>The version recorded in the database, 0 when there is none.</summary>
    internal static int CurrentVersion(NpgsqlConnection connection)
    {
        // Two statements: a query naming a table that does not exist fails at planning, whatever its CASE says.
        using var exists = new NpgsqlCommand("SELECT to_regclass('portaudit.schema_version') IS NOT NULL", connection);
        if (exists.ExecuteScalar() is not true) return 0;
        using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM portaudit.schema_version", connection);
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>The version, partitions and flows per sensor.</summary>
    public static StoreStatus Status(StoreLocation store)
    {
        using var connection = store.Connect();
        int version = CurrentVersion(connection);
        if (version == 0) return new StoreStatus(0, 0, [], 0, 0);
        using var partitions = new NpgsqlCommand("SELECT count(*) FROM pg_inherits WHERE inhparent = 'portaudit.flows'::regclass", connection);
        int count = Convert.ToInt32(partitions.ExecuteScalar());
        using var bySensor = new NpgsqlCommand(StoreStatus.BySensorQuery, connection);
        return StoreStatus.Of(version, count, bySensor);
    }

    internal static InputException TooNew(string store, int current) =>
        new($"store {store} is at schema version {current}, newer than this build's {Version}: use a newer portaudit");

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
