using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Contacto.Webhooks;

/// <summary>
/// The outbox as a queue, claimed fairly. A claim takes due deliveries that are first in their
/// ordering key (no older one of the key is pending; of two made in one millisecond, the one with
/// the smaller id, see <see cref="OrderedIds"/>), at most <c>perAccount</c> of any one account
/// and none of the accounts this node already holds enough of, and writes a lease to
/// <see cref="WebhookDelivery.ClaimedUntil"/> in the statement that returns them. So one account's
/// backlog is never all a claim finds: the next claim passes over it to the others. On PostgreSQL
/// rows another node is claiming are skipped (<c>FOR UPDATE SKIP LOCKED</c>); SQLite has one writer.
/// </summary>
static class WebhookQueue
{
    /// <summary>Candidates read per claim, for each delivery it may take: room for the per-account cap to pass some by.</summary>
    const int ScanFactor = 4;

    /// <summary>The claimed deliveries, untracked.</summary>
    public static async Task<List<WebhookDelivery>> ClaimAsync(ContactoDbContext db, int batch, int perAccount, IReadOnlyCollection<Guid> busyAccounts,
        DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(WebhookDelivery))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName());
        var table = sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
        var (id, account, key, state, created, next, claimed) = (Column(nameof(WebhookDelivery.Id)), Column(nameof(WebhookDelivery.AccountId)),
            Column(nameof(WebhookDelivery.OrderingKey)), Column(nameof(WebhookDelivery.State)), Column(nameof(WebhookDelivery.CreatedAt)),
            Column(nameof(WebhookDelivery.NextAttemptAt)), Column(nameof(WebhookDelivery.ClaimedUntil)));
        object[] values = [until.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), batch, perAccount, batch * ScanFactor, (int)DeliveryState.Pending, .. busyAccounts.Cast<object>()];
        var notBusy = busyAccounts.Count == 0 ? "" : $" AND d.{account} NOT IN ({string.Join(", ", busyAccounts.Select((_, i) => $"{{{i + 6}}}"))})";
        var postgres = db.Database.IsNpgsql();
        var pick = $"SELECT {id} FROM (SELECT {id}, {next}, ROW_NUMBER() OVER (PARTITION BY {account} ORDER BY {next}, {id}) AS turn FROM (" +
            $"SELECT d.{id}, d.{account}, d.{next} FROM {table} d " +
            $"WHERE d.{state} = {{5}} AND d.{next} <= {{1}} AND (d.{claimed} IS NULL OR d.{claimed} <= {{1}}){notBusy} " +
            $"AND NOT EXISTS (SELECT 1 FROM {table} o WHERE o.{account} = d.{account} AND o.{key} = d.{key} AND o.{state} = {{5}} " +
            $"AND (o.{created} < d.{created} OR o.{created} = d.{created} AND o.{id} < d.{id})) " +
            $"ORDER BY d.{next} LIMIT {{4}}{(postgres ? " FOR UPDATE SKIP LOCKED" : "")}) candidates) ranked " +
            $"WHERE turn <= {{3}} ORDER BY {next} LIMIT {{2}}";
        if (postgres)
            return await ReturningUpdate.RunAsync<WebhookDelivery>(db, $"UPDATE {table} SET {claimed} = {{0}} WHERE {id} IN ({pick}) RETURNING *", values, cancellationToken);

        // SQLite has one writer, and the search for candidates is most of a claim's work: it is a
        // plain read beside the writer (WAL), and only the conditional update waits for the turn.
#pragma warning disable EF1002 // names from the model only, as above
        var candidates = await db.Set<WebhookDelivery>().FromSqlRaw($"SELECT * FROM {table} WHERE {id} IN ({pick})", values)
            .IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken);
#pragma warning restore EF1002
        if (candidates.Count == 0)
            return candidates;
        var ids = candidates.Select(d => d.Id).ToList();
        var won = await db.Set<WebhookDelivery>().IgnoreQueryFilters()
            .Where(d => ids.Contains(d.Id) && d.State == DeliveryState.Pending && (d.ClaimedUntil == null || d.ClaimedUntil <= now))
            .ExecuteUpdateAsync(set => set.SetProperty(d => d.ClaimedUntil, until), cancellationToken);
        if (won < ids.Count)
        {
            // Another process on the same file claimed some in between: keep what is ours.
            var ours = (await db.Set<WebhookDelivery>().IgnoreQueryFilters().Where(d => ids.Contains(d.Id) && d.ClaimedUntil == until)
                .Select(d => d.Id).ToListAsync(cancellationToken)).ToHashSet();
            candidates.RemoveAll(d => !ours.Contains(d.Id));
        }
        foreach (var delivery in candidates)
            delivery.ClaimedUntil = until;
        return candidates;
    }
}
