using Npgsql;
using PortAudit.Common;

namespace PortAudit.Store;

/// <summary>
/// Where the flow store is: a <c>postgresql://</c> URL (libpq's form) or a key=value connection string, held as
/// Npgsql settings. Credentials come from the URL, from PGPASSFILE or ~/.pgpass, or from PGPASSWORD and the other
/// PG* variables, which Npgsql reads itself; <see cref="Display"/> is the only form that reaches a message or a log,
/// and it never holds the password.
/// </summary>
public sealed class StoreLocation
{
    private readonly NpgsqlConnectionStringBuilder _settings;

    private StoreLocation(NpgsqlConnectionStringBuilder settings, string display)
    {
        _settings = settings;
        Display = display;
    }

    /// <summary>The location as messages name it: the URL without its password.</summary>
    public string Display { get; }

    /// <inheritdoc />
    public override string ToString() => Display;

    /// <summary>Reads a <c>postgresql://</c> or <c>postgres://</c> URL, or an Npgsql key=value connection string.</summary>
    /// <exception cref="InputException">The text is neither, or names a parameter the store does not know.</exception>
    public static StoreLocation Parse(string text)
    {
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return FromUrl(text);
        try
        {
            var settings = new NpgsqlConnectionStringBuilder(text);
            return new StoreLocation(Defaults(settings), DisplayOf(settings));
        }
        catch (ArgumentException ex)
        {
            // The message of a connection string error may quote the string: never repeat it.
            throw new InputException($"--store: not a postgresql:// URL nor a connection string ({ex.GetType().Name})");
        }
    }

    private static StoreLocation FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            throw new InputException("--store: not a valid postgresql:// URL");
        var settings = new NpgsqlConnectionStringBuilder();
        if (uri.Host.Length > 0) settings.Host = uri.Host.Trim('[', ']');
        if (uri.Port > 0) settings.Port = uri.Port;
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) settings.Database = database;
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':');
            settings.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) settings.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            string value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            Apply(settings, key, value);
        }
        return new StoreLocation(Defaults(settings), DisplayOf(settings));
    }

    // The libpq URL parameters a store location may carry, in Npgsql's terms.
    private static void Apply(NpgsqlConnectionStringBuilder settings, string key, string value)
    {
        switch (key)
        {
            case "sslmode":
                settings.SslMode = Enum.TryParse<SslMode>(value.Replace("-", ""), ignoreCase: true, out var mode)
                    ? mode : throw new InputException($"--store: sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full");
                break;
            case "connect_timeout":
                settings.Timeout = int.TryParse(value, out int seconds) && seconds > 0
                    ? seconds : throw new InputException($"--store: connect_timeout '{value}' is not a number of seconds");
                break;
            case "application_name": settings.ApplicationName = value; break;
            case "passfile": settings.Passfile = value; break;
            case "user": settings.Username = value; break;
            case "dbname": settings.Database = value; break;
            case "host": settings.Host = value; break;
            case "port":
                settings.Port = int.TryParse(value, out int port) ? port : throw new InputException($"--store: port '{value}' is not a number");
                break;
            case "password": settings.Password = value; break;
            default: throw new InputException($"--store: URL parameter '{key}' is not supported");
        }
    }

    private static NpgsqlConnectionStringBuilder Defaults(NpgsqlConnectionStringBuilder settings)
    {
        if (string.IsNullOrEmpty(settings.ApplicationName)) settings.ApplicationName = "portaudit";
        // A store that is down must be noticed in seconds, so that flows go to the spool instead of waiting.
        if (!settings.ContainsKey("Timeout") || settings.Timeout == 15) settings.Timeout = 5;
        return settings;
    }

    private static string DisplayOf(NpgsqlConnectionStringBuilder settings)
    {
        string user = settings.Username is { Length: > 0 } name ? Uri.EscapeDataString(name) + "@" : "";
        string host = settings.Host is { Length: > 0 } h ? (h.Contains(':') && !h.Contains(',') ? $"[{h}]" : h) : "";
        string port = settings.ContainsKey("Port") && settings.Port != 5432 ? ":" + settings.Port : "";
        string database = settings.Database is { Length: > 0 } db ? "/" + Uri.EscapeDataString(db) : "";
        return $"postgresql://{user}{host}{port}{database}";
    }

    /// <summary>An open connection of its own, outside Npgsql's pool: a writer that lost its server starts afresh.</summary>
    /// <exception cref="StoreUnavailableException">The server cannot be reached or refused the login.</exception>
    internal NpgsqlConnection Connect(bool pooled = false)
    {
        var settings = new NpgsqlConnectionStringBuilder(_settings.ConnectionString) { Pooling = pooled };
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception ex) when (StoreUnavailableException.IsUnavailable(ex))
        {
            connection.Dispose();
            throw new StoreUnavailableException(this, ex);
        }
    }
}
