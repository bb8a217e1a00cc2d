using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Contacto.Storage;

/// <summary>
/// SQLite takes one writer at a time. Left to itself, a writer that finds the database locked
/// blocks its thread and retries every 150 ms (Microsoft.Data.Sqlite's busy loop), so under load
/// writers mostly sleep and the thread pool starves. This gate queues this process's writers
/// instead: every transaction, and every statement run outside one, first waits its turn here,
/// asynchronously and in order, and holds the turn until it commits, rolls back or its connection
/// closes. Reads are not gated (WAL lets them run beside the writer).
/// </summary>
sealed class SqliteWriteGate(TimeSpan timeout) : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    readonly SemaphoreSlim turn = new(1, 1);
    readonly ConcurrentDictionary<DbConnection, byte> holders = new();

    async ValueTask EnterAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (!await turn.WaitAsync(timeout, cancellationToken))
            throw new TimeoutException($"No turn to write to SQLite within {timeout.TotalSeconds:F0} s");
        holders[connection] = 0;
    }

    void Enter(DbConnection connection)
    {
        if (!turn.Wait(timeout))
            throw new TimeoutException($"No turn to write to SQLite within {timeout.TotalSeconds:F0} s");
        holders[connection] = 0;
    }

    void Leave(DbConnection connection)
    {
        if (holders.TryRemove(connection, out _))
            turn.Release();
    }

    static bool OutsideTransaction(DbCommand command) => command.Transaction is null;

    // Transactions: the turn is held from BEGIN to COMMIT or ROLLBACK.
    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Enter(connection);
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(connection, cancellationToken);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData.Context!.Database.GetDbConnection());

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context!.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData.Context!.Database.GetDbConnection());

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context!.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    // Statements outside a transaction (ExecuteUpdate, ExecuteDelete, raw SQL): held while they run.
    // SaveChanges always opens a transaction on SQLite (see ContactoDbContextFactory), and reads use readers.
    // A statement that writes and returns rows (UPDATE ... RETURNING) is a reader too: run it inside
    // a transaction, or it meets the database lock instead of this gate (see MessageQueue).
    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (OutsideTransaction(command))
            Enter(command.Connection!);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (OutsideTransaction(command))
            await EnterAsync(command.Connection!, cancellationToken);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (OutsideTransaction(command))
            Leave(command.Connection!);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (OutsideTransaction(command))
            Leave(command.Connection!);
        return ValueTask.FromResult(result);
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData)
    {
        if (OutsideTransaction(command))
            Leave(command.Connection!);
    }

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        CommandFailed(command, eventData);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData)
    {
        if (OutsideTransaction(command))
            Leave(command.Connection!);
    }

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        CommandCanceled(command, eventData);
        return Task.CompletedTask;
    }

    // A transaction disposed without commit or rollback (an exception) ends when its connection closes.
    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(connection);
        return ValueTask.FromResult(result);
    }
}
