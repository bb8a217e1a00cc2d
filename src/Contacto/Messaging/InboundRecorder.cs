using System.Globalization;
using System.Text;
using Contacto.Applications;
using Contacto.Audit;
using Contacto.Carriers;
using Contacto.Crypto;
using Contacto.Numbers;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Messaging;

/// <summary>
/// Inbound SMS. A carrier's mobile-originated message to a number an account rents becomes an
/// inbound message (<c>received</c>) and a signed callback to the number's application, written in
/// one transaction before the carrier gets its acknowledgement. Parts of a long message are stored
/// as they come and joined when the last one is in; sets still incomplete after
/// <see cref="MessagingOptions.InboundPartsWaitSeconds"/> are delivered with the parts that came.
/// A message to a number nobody rents is acknowledged, counted and forgotten.
/// </summary>
internal sealed partial class InboundRecorder(
    IDbContextFactory<ContactoDbContext> contexts,
    ITenantCrypto crypto,
    NumberService numbers,
    WebhookOutbox outbox,
    IAuditTrail audit,
    MessagingMetrics metrics,
    IOptions<MessagingOptions> options,
    TimeProvider time,
    ILogger<InboundRecorder> logger) : BackgroundService, ICarrierMessageSink
{
    public async Task AcceptAsync(InboundSms message, CancellationToken cancellationToken)
    {
        var carrier = message.Carrier;
        if (message.Text is not { } text)
        {
            metrics.Inbound("undecodable");
            LogUndecodable(carrier);
            return;
        }
        var number = E164.TryNormalize(message.To, out var to) ? await numbers.FindRentedAsync(to, cancellationToken) : null;
        if (number is null)
        {
            metrics.Inbound("unknown_number");
            LogUnknownNumber(carrier);
            return;
        }
        var from = !message.AlphanumericSender && E164.TryNormalize(message.From, out var e164) ? e164 : message.From;
        try
        {
            if (message.Segment is { } part)
                await StorePartAsync(carrier, number, from, to!, part, text, cancellationToken);
            else
                await RecordAsync(carrier, number, from, to!, text, units: 1, parts: [], cancellationToken);
        }
        catch (TenantKeyUnavailableException gone) when (gone.AccountId == number.AccountId)
        {
            // The account that rents the number can no longer keep anything (its keys are destroyed
            // or scheduled for destruction): acknowledged and dropped, as for a number nobody rents.
            metrics.Inbound("owner_gone");
            LogOwnerGone(carrier);
        }
    }

    async Task StorePartAsync(string carrier, RentedNumber number, string from, string to, InboundSegment info, string text, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        InboundPart part;
        using (var keys = await crypto.LeaseKeysAsync(number.AccountId, cancellationToken))
        {
            part = new InboundPart
            {
                Id = id,
                AccountId = number.AccountId,
                NumberId = number.Id,
                GroupIndex = keys.ComputeBlindIndex(InboundPart.GroupPurpose, $"{from}|{to}|{info.Reference}|{info.Total}"),
                Sequence = info.Sequence,
                Total = info.Total,
                Carrier = carrier,
                FromSealed = keys.Seal(InboundPart.FromPurpose, id, Encoding.UTF8.GetBytes(from)),
                TextSealed = keys.Seal(InboundPart.TextPurpose, id, Encoding.UTF8.GetBytes(text)),
                ReceivedAt = time.GetUtcNow(),
            };
        }
        if (!await IsStoredAsync(part, cancellationToken))
        {
            await using var db = contexts.CreateDbContext();
            db.Add(part);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // The carrier delivered the same part twice at once: fine when the other copy is stored.
                if (!await IsStoredAsync(part, cancellationToken))
                    throw;
            }
        }
        metrics.Inbound("part_stored");
        await JoinAsync(part.AccountId, part.GroupIndex, whatArrived: false, cancellationToken);
    }

    /// <summary>True when this part is stored already (the carrier delivered it again: its acknowledgement was lost).</summary>
    async Task<bool> IsStoredAsync(InboundPart part, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<InboundPart>().AnyAsync(p => p.AccountId == part.AccountId && p.GroupIndex == part.GroupIndex && p.Sequence == part.Sequence, cancellationToken);
    }

    /// <summary>Records the message a set of parts makes once all are in (or, with <paramref name="whatArrived"/>, the parts there are).</summary>
    async Task JoinAsync(Guid accountId, byte[] groupIndex, bool whatArrived, CancellationToken cancellationToken)
    {
        List<InboundPart> parts;
        RentedNumber? number;
        await using (var db = contexts.CreateDbContext())
        {
            parts = await db.Set<InboundPart>().AsNoTracking().Where(p => p.AccountId == accountId && p.GroupIndex == groupIndex)
                .OrderBy(p => p.Sequence).ToListAsync(cancellationToken);
            if (parts.Count == 0 || !whatArrived && parts.Count < parts[0].Total)
                return;
            var numberId = parts[0].NumberId;
            number = await numbers.FindByIdAsync(numberId, cancellationToken);
            if (number is null)
            {
                // Given back while its parts waited: nobody to deliver them to.
                var ids = parts.Select(p => p.Id).ToList();
                await db.Set<InboundPart>().Where(p => ids.Contains(p.Id)).ExecuteDeleteAsync(cancellationToken);
                metrics.Inbound("unknown_number");
                return;
            }
        }
        string from, text;
        using (var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken))
        {
            string Open(string purpose, InboundPart part, byte[] envelope) => Encoding.UTF8.GetString(keys.Open(purpose, part.Id, envelope));
            from = Open(InboundPart.FromPurpose, parts[0], parts[0].FromSealed);
            text = string.Concat(parts.Select(p => Open(InboundPart.TextPurpose, p, p.TextSealed)));
        }
        if (parts.Count < parts[0].Total)
            LogIncomplete(parts.Count, parts[0].Total, parts[0].Carrier);
        await RecordAsync(parts[0].Carrier, number, from, await numbers.OpenAsync(number, cancellationToken), text, parts.Count, [.. parts.Select(p => p.Id)], cancellationToken);
    }

    /// <summary>Writes the inbound message, its callback and its audit record, consuming <paramref name="parts"/> in the same transaction.</summary>
    async Task RecordAsync(string carrier, RentedNumber number, string from, string to, string text, int units, IReadOnlyList<Guid> parts, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var application = number.AppId is null ? null : await ApplicationLookup.FindAsync(db, number.AccountId, number.AppId, cancellationToken);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        Message message;
        WebhookDelivery? callback = null;
        // Key work happens before the transaction: on SQLite a key loaded inside it would wait on it.
        using (var keys = await crypto.LeaseKeysAsync(number.AccountId, cancellationToken))
        {
            var fromNumber = from.StartsWith('+');
            message = new Message
            {
                Id = id,
                AccountId = number.AccountId,
                Direction = MessageDirections.Inbound,
                State = MessageStates.Received,
                FromSealed = keys.Seal(Message.FromPurpose, id, Encoding.UTF8.GetBytes(from)),
                ToSealed = keys.Seal(Message.ToPurpose, id, Encoding.UTF8.GetBytes(to)),
                // log_incoming_messages=false: the application gets the text, the MDR does not keep it.
                TextSealed = application?.LogIncomingMessages == false ? null : keys.Seal(Message.TextPurpose, id, Encoding.UTF8.GetBytes(text)),
                FromIndex = fromNumber ? keys.ComputeBlindIndex(NumberPlan.IndexPurpose, from) : null,
                ToIndex = keys.ComputeBlindIndex(NumberPlan.IndexPurpose, to),
                AlphanumericSender = !fromNumber,
                DestinationCountry = number.Country,
                Units = units,
                Carrier = carrier,
                CreatedAt = now,
                UpdatedAt = now,
            };
            if (application is { Enabled: true } && application.Url(keys, "message_url") is { } url)
                callback = outbox.Prepare(keys, id.ToString(), url, application.MessageMethod, Fields(id, from, to, text, units),
                    subject: new WebhookSubject(InboundReplies.Kind, id));
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (parts.Count > 0 && await db.Set<InboundPart>().Where(p => parts.Contains(p.Id)).ExecuteDeleteAsync(cancellationToken) != parts.Count)
        {
            await transaction.RollbackAsync(cancellationToken);
            return; // another node joined this set first
        }
        db.Add(message);
        if (callback is not null)
            db.Add(callback);
        using var span = MessageTraces.Start("message.receive", message);
        await audit.AppendAsync(db, new AuditEntry(number.AccountId, AuditActor.System, AuditActions.MessageReceived, "message", id.ToString()), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (callback is not null)
            outbox.Notify();
        metrics.Inbound("received");
    }

    /// <summary>Plivo's inbound message parameters; numbers as Plivo writes them (digits, no '+').</summary>
    static List<KeyValuePair<string, string>> Fields(Guid id, string from, string to, string text, int units) =>
    [
        new("From", NumberPlan.Bare(from)),
        new("To", NumberPlan.Bare(to)),
        new("Type", "sms"),
        new("Text", text),
        new("MessageUUID", id.ToString()),
        new("Units", units.ToString(CultureInfo.InvariantCulture)),
        new("TotalRate", "0.00000"),
        new("TotalAmount", "0.00000"),
        new("MessageIntent", Intent(text)),
        new("PowerpackUUID", ""),
    ];

    /// <summary>Plivo's standard keywords, when the whole message is one.</summary>
    static string Intent(string text) => text.Trim().ToUpperInvariant() switch
    {
        "STOP" or "STOPALL" or "UNSUBSCRIBE" or "CANCEL" or "END" or "QUIT" => "optout",
        "START" or "YES" or "UNSTOP" => "optin",
        "HELP" or "INFO" => "help",
        _ => "",
    };

    /// <summary>Delivers what arrived of long messages whose remaining parts did not come in time.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = TimeSpan.FromSeconds(options.Value.InboundPartsWaitSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(wait.TotalSeconds / 4, 1, 30)), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var db = contexts.CreateDbContext();
                var cutoff = time.GetUtcNow() - wait;
                var stale = await db.Set<InboundPart>().Where(p => p.ReceivedAt <= cutoff)
                    .Select(p => new { p.AccountId, p.GroupIndex }).Distinct().ToListAsync(stoppingToken);
                foreach (var set in stale)
                {
                    try
                    {
                        await JoinAsync(set.AccountId, set.GroupIndex, whatArrived: true, stoppingToken);
                    }
                    catch (TenantKeyUnavailableException gone) when (gone.AccountId == set.AccountId)
                    {
                        // Parts nobody can open any more: the other sets are not held up by them.
                        await db.Set<InboundPart>().Where(p => p.AccountId == set.AccountId && p.GroupIndex == set.GroupIndex).ExecuteDeleteAsync(stoppingToken);
                        metrics.Inbound("owner_gone");
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Dropped a binary or undecodable message from carrier {Carrier}")]
    partial void LogUndecodable(string carrier);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Dropped a message from carrier {Carrier} to a number no account rents")]
    partial void LogUnknownNumber(string carrier);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Dropped a message from carrier {Carrier} to a number whose account's keys are gone")]
    partial void LogOwnerGone(string carrier);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Delivering {Count} of {Total} parts of a long message from carrier {Carrier}: the rest did not come")]
    partial void LogIncomplete(int count, int total, string carrier);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Error, Message = "Delivering incomplete long messages failed ({Error}); trying again at the next sweep")]
    partial void LogSweepFailed(string error);
}
