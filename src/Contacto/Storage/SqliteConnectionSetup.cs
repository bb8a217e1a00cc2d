using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Contacto.Storage;

/// <summary>
/// Settings SQLite keeps per connection rather than in the file, applied once to each connection
/// it opens. The write-ahead log is copied back into the database file (a checkpoint) by the writer
/// whose commit takes it past <c>wal_autocheckpoint</c> pages, inside that writer's turn
/// (<see cref="SqliteWriteGate"/>). SQLite's default of 1,000 pages (4 MiB) checkpoints after
/// nearly every group commit under load, copying the same index pages over and over; a larger log
/// copies each changed page once per checkpoint.
/// </summary>
sealed class SqliteConnectionSetup(int checkpointPages) : DbConnectionInterceptor
{
    readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Configure(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Configure(connection);
        return Task.CompletedTask;
    }

    void Configure(DbConnection connection)
    {
        // Pooled connections keep their native handle, and with it the setting.
        if (((SqliteConnection)connection).Handle is not { } handle || configured.TryGetValue(handle, out _))
            return;
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint = " + checkpointPages.ToString(CultureInfo.InvariantCulture);
        command.ExecuteNonQuery();
        configured.AddOrUpdate(handle, this);
    }
}
