using System.Net.Sockets;
using Npgsql;
using PortAudit.Common;

namespace PortAudit.Store;

/// <summary>
/// The store could not be reached, refused the login, or went away during a statement. The message names the store
/// by <see cref="StoreLocation.Display"/> (no password) and says what the server or the network answered.
/// </summary>
public sealed class StoreUnavailableException : StoreException
{
    /// <summary>Wraps <paramref name="inner"/>, the driver's or the network's error, for <paramref name="store"/>.</summary>
    public StoreUnavailableException(StoreLocation store, Exception inner)
        : base($"store {store.Display}: {Reason(inner)}", inner) { }

    /// <summary>True for errors that mean the server is not there (now): worth a spool and a later try, not a bug.</summary>
    internal static bool IsUnavailable(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exceptions
                                || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) // admin shutdown, crash, cannot connect now
                                || pg.SqlState.StartsWith("53", StringComparison.Ordinal) // out of resources
                                || pg.SqlState == "28P01" || pg.SqlState == "28000", // login refused
        NpgsqlException => true,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    // The innermost useful words: "Connection refused", "the database system is shutting down".
    private static string Reason(Exception ex)
    {
        if (ex is PostgresException pg) return $"{pg.MessageText} ({pg.SqlState})";
        var inner = ex;
        while (inner.InnerException is { } next && inner is not SocketException) inner = next;
        return inner == ex ? ex.Message : $"{ex.Message}: {inner.Message}";
    }
}
