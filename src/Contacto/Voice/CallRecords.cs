using System.Globalization;
using System.Text;
using Contacto.Crypto;
using Contacto.Numbers;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Contacto.Voice;

/// <summary>A call's sealed fields, opened for the node that runs it; never logged.</summary>
internal sealed record OpenedCall(Call Call, string From, string To, string? CallerName, string AnswerUrl, string? FallbackUrl, string? HangupUrl, string? RingUrl)
{
    /// <summary>The parameters Plivo sends to every URL of a call, in its current state.</summary>
    public List<KeyValuePair<string, string>> Parameters(string status, string callEvent)
    {
        List<KeyValuePair<string, string>> fields =
        [
            new("CallUUID", Call.Id.ToString()),
            new("From", NumberPlan.Bare(From)),
            new("To", NumberPlan.Bare(To)),
            new("CallStatus", status),
            new("Direction", Call.Direction),
            new("Event", callEvent),
            new("RequestUUID", Call.RequestId.ToString()),
            new("CallerName", CallerName ?? ""),
            new("BillRate", "0.00000"),
        ];
        if (Call.Direction == CallDirections.Outbound)
        {
            fields.Add(new("ALegUUID", Call.Id.ToString()));
            fields.Add(new("ALegRequestUUID", Call.RequestId.ToString()));
        }
        if (Call.AnsweredAt is { } answered)
            fields.Add(new("SessionStart", CallTimes.Format(answered)));
        return fields;
    }

    public static async Task<OpenedCall> OpenAsync(ITenantCrypto crypto, Call call, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(call.AccountId, cancellationToken);
        string? Open(string purpose, byte[]? envelope) => envelope is null ? null : Encoding.UTF8.GetString(keys.Open(purpose, call.Id, envelope));
        return new OpenedCall(call, Open(Call.FromPurpose, call.FromSealed) ?? "", Open(Call.ToPurpose, call.ToSealed) ?? "",
            Open(Call.CallerNamePurpose, call.CallerNameSealed), Open(Call.AnswerUrlPurpose, call.AnswerUrlSealed)!,
            Open(Call.FallbackUrlPurpose, call.FallbackUrlSealed), Open(Call.HangupUrlPurpose, call.HangupUrlSealed), Open(Call.RingUrlPurpose, call.RingUrlSealed));
    }
}

/// <summary>Times as Plivo writes them in call records and callbacks (UTC).</summary>
internal static class CallTimes
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}

/// <summary>
/// A call's rows as it goes: claimed from the queue, answered, its hold renewed, and finished
/// with its hangup callback (when it has a <c>hangup_url</c>) in the transaction that ends it.
/// </summary>
internal sealed class CallRecords(IDbContextFactory<ContactoDbContext> contexts, ITenantCrypto crypto, WebhookOutbox outbox, TimeProvider time)
{
    /// <summary>
    /// Takes due queued calls for this node: each becomes <c>ringing</c>, out of the queue, held
    /// until the lease ends, in the statement that returns it. On PostgreSQL rows another node is
    /// claiming are skipped.
    /// </summary>
    public async Task<List<Call>> ClaimAsync(int count, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var entity = db.Model.FindEntityType(typeof(Call))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName());
        var (table, id, next, claimed, state) = (sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema()),
            Column(nameof(Call.Id)), Column(nameof(Call.NextAttemptAt)), Column(nameof(Call.ClaimedUntil)), Column(nameof(Call.State)));
        var skipLocked = db.Database.IsNpgsql() ? " FOR UPDATE SKIP LOCKED" : "";
        var now = time.GetUtcNow();
        return await ReturningUpdate.RunAsync<Call>(db,
            $"UPDATE {table} SET {claimed} = {{0}}, {next} = NULL, {state} = {{3}} WHERE {id} IN (" +
            $"SELECT {id} FROM {table} WHERE {next} <= {{1}} ORDER BY {next} LIMIT {{2}}{skipLocked}) RETURNING *",
            [(now + lease).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), count, CallStates.Ringing], cancellationToken);
    }

    public async Task AnsweredAsync(Call call, string carrier, CancellationToken cancellationToken)
    {
        (call.State, call.AnsweredAt, call.Carrier) = (CallStates.InProgress, time.GetUtcNow(), carrier);
        await using var db = contexts.CreateDbContext();
        await db.Set<Call>().IgnoreQueryFilters().Where(c => c.Id == call.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.State, call.State).SetProperty(c => c.AnsweredAt, call.AnsweredAt)
                .SetProperty(c => c.Carrier, carrier), cancellationToken);
    }

    /// <summary>The <c>ring_url</c> callback, when the call has one: the callee is alerted.</summary>
    public async Task RingingAsync(OpenedCall opened, CancellationToken cancellationToken)
    {
        if (opened.RingUrl is not { } url)
            return;
        var call = opened.Call;
        WebhookDelivery callback;
        using (var keys = await crypto.LeaseKeysAsync(call.AccountId, cancellationToken))
            callback = outbox.Prepare(keys, call.Id.ToString(), url, call.RingMethod, opened.Parameters(CallStates.Ringing, "Ring"));
        await using var db = contexts.CreateDbContext();
        db.Add(callback);
        await db.SaveChangesAsync(cancellationToken);
        outbox.Notify();
    }

    /// <summary>Extends this node's hold on its live calls.</summary>
    public async Task RenewAsync(IReadOnlyCollection<Guid> calls, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (calls.Count == 0)
            return;
        var until = time.GetUtcNow() + lease;
        await using var db = contexts.CreateDbContext();
        foreach (var chunk in calls.Chunk(500))
            await db.Set<Call>().IgnoreQueryFilters().Where(c => chunk.Contains(c.Id) && (c.State == CallStates.Ringing || c.State == CallStates.InProgress))
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.ClaimedUntil, until), cancellationToken);
    }

    /// <summary>Live calls whose node stopped renewing its hold: that node is gone, and so are its calls.</summary>
    public async Task<List<Call>> OrphanedAsync(int count, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        return await db.Set<Call>().IgnoreQueryFilters().AsNoTracking()
            .Where(c => (c.State == CallStates.Ringing || c.State == CallStates.InProgress) && c.ClaimedUntil < now)
            .OrderBy(c => c.ClaimedUntil).Take(count).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Ends the call in its CDR, once: a call that ended already (another node closed it) is left
    /// as it is and false comes back. The hangup callback goes in the same transaction.
    /// </summary>
    public async Task<bool> FinishAsync(OpenedCall opened, HangupCause cause, string source, CancellationToken cancellationToken)
    {
        var call = opened.Call;
        var now = time.GetUtcNow();
        var state = call.AnsweredAt is null ? cause.State : CallStates.Completed;
        (call.State, call.EndedAt, call.HangupCauseCode, call.HangupCauseName, call.HangupSource, call.ClaimedUntil, call.NextAttemptAt) =
            (state, now, cause.Code, cause.Name, source, null, null);
        WebhookDelivery? callback = null;
        if (opened.HangupUrl is { } url)
        {
            using var keys = await crypto.LeaseKeysAsync(call.AccountId, cancellationToken);
            callback = outbox.Prepare(keys, call.Id.ToString(), url, call.HangupMethod, HangupFields(opened));
        }
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await db.Set<Call>().IgnoreQueryFilters().Where(c => c.Id == call.Id && !CallStates.Final.Contains(c.State))
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.State, state).SetProperty(c => c.EndedAt, now)
                .SetProperty(c => c.HangupCauseCode, cause.Code).SetProperty(c => c.HangupCauseName, cause.Name)
                .SetProperty(c => c.HangupSource, source).SetProperty(c => c.ClaimedUntil, (DateTimeOffset?)null)
                .SetProperty(c => c.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(c => c.JitterMilliseconds, call.JitterMilliseconds).SetProperty(c => c.PacketLossFraction, call.PacketLossFraction), cancellationToken);
        if (ended == 0)
            return false;
        if (callback is not null)
        {
            db.Add(callback);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (callback is not null)
            outbox.Notify();
        return true;
    }

    static List<KeyValuePair<string, string>> HangupFields(OpenedCall opened)
    {
        var call = opened.Call;
        var fields = opened.Parameters(call.State, "Hangup");
        fields.AddRange(
        [
            new("HangupCause", call.HangupCauseName ?? ""),
            new("HangupCauseName", call.HangupCauseName ?? ""),
            new("HangupCauseCode", call.HangupCauseCode?.ToString(CultureInfo.InvariantCulture) ?? ""),
            new("HangupSource", call.HangupSource ?? ""),
            new("Duration", call.BillDurationSeconds.ToString(CultureInfo.InvariantCulture)),
            new("BillDuration", call.BillDurationSeconds.ToString(CultureInfo.InvariantCulture)),
            new("StartTime", CallTimes.Format(call.CreatedAt)),
            new("AnswerTime", call.AnsweredAt is { } answered ? CallTimes.Format(answered) : ""),
            new("EndTime", call.EndedAt is { } ended ? CallTimes.Format(ended) : ""),
            new("TotalCost", "0.00000"),
        ]);
        return fields;
    }
}
