using System.Text;
using Contacto.Audit;
using Contacto.Api;
using Contacto.Crypto;
using Contacto.Numbers;
using Contacto.Platform;
using Contacto.Storage;

namespace Contacto.Voice;

/// <summary>What a make-call request asks for, read and checked for shape at the edge.</summary>
internal sealed record PlaceCallRequest(
    string From,
    string To,
    string AnswerUrl,
    string AnswerMethod,
    string? HangupUrl = null,
    string HangupMethod = "POST",
    string? FallbackUrl = null,
    string FallbackMethod = "POST",
    string? RingUrl = null,
    string RingMethod = "POST",
    string? CallerName = null,
    int RingTimeoutSeconds = 60,
    int TimeLimitSeconds = 14400);

/// <summary>
/// Accepts calls: checks the caller id and destinations, seals numbers and URLs with the account's
/// key, and writes one queued call per destination with the request's audit record in one
/// transaction. Only then does the API answer 201, so an accepted call is never lost, and a
/// request that failed (and that the SDK retries) stored nothing: no call is placed twice.
/// </summary>
internal sealed class CallService(ITenantCrypto crypto, NumberService numbers, IAuditTrail audit, CallSignal signal, TimeProvider time)
{
    /// <summary>Plivo's limit of destinations in one request.</summary>
    public const int MaxDestinations = 1000;

    /// <param name="db">The caller's tenant-scoped context.</param>
    public async Task<Guid> PlaceAsync(ContactoDbContext db, Guid accountId, PlaceCallRequest request, AuditEntry record, string? requesterIp, CancellationToken cancellationToken)
    {
        if (!NumberPlan.TryParse(request.From, out var from, out _) || await numbers.FindAsync(db, accountId, from, cancellationToken) is null)
            throw ApiException.BadRequest("from must be a number of this account, in international form");
        var destinations = request.To.Split('<', StringSplitOptions.TrimEntries);
        if (destinations.Length > MaxDestinations)
            throw ApiException.BadRequest($"to has more than {MaxDestinations} destinations");
        var valid = new List<(string E164, string Country)>();
        foreach (var destination in destinations)
        {
            if (destination.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
                throw ApiException.BadRequest("to: sip: destinations are not supported yet; give phone numbers");
            if (!NumberPlan.TryParse(destination, out var e164, out var country) || e164 == from)
                throw ApiException.BadRequest("to must hold phone numbers in international form, different from from");
            valid.Add((e164, country));
        }

        var requestId = Guid.CreateVersion7();
        var calls = await SealAsync(accountId, requestId, request, from, valid, requesterIp, cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            db.AddRange(calls);
            await audit.AppendManyAsync(db, [.. calls.Select(c => record with { ResourceId = c.Id.ToString(), Reason = $"request {requestId}" })], cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        signal.Notify();
        return requestId;
    }

    // Key work happens before the transaction: on SQLite a key created inside it would wait on it.
    async Task<List<Call>> SealAsync(Guid accountId, Guid requestId, PlaceCallRequest request, string from,
        List<(string E164, string Country)> destinations, string? requesterIp, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken);
        var now = time.GetUtcNow();
        var fromIndex = keys.ComputeBlindIndex(NumberPlan.IndexPurpose, from);
        return [.. destinations.Select(destination =>
        {
            var id = Guid.CreateVersion7();
            byte[]? Seal(string purpose, string? value) => value is null ? null : keys.Seal(purpose, id, Encoding.UTF8.GetBytes(value));
            return new Call
            {
                Id = id,
                AccountId = accountId,
                RequestId = requestId,
                FromSealed = Seal(Call.FromPurpose, from),
                ToSealed = Seal(Call.ToPurpose, destination.E164),
                FromIndex = fromIndex,
                ToIndex = keys.ComputeBlindIndex(NumberPlan.IndexPurpose, destination.E164),
                CallerNameSealed = Seal(Call.CallerNamePurpose, request.CallerName),
                DestinationCountry = destination.Country,
                AnswerUrlSealed = Seal(Call.AnswerUrlPurpose, request.AnswerUrl)!,
                AnswerMethod = request.AnswerMethod,
                FallbackUrlSealed = Seal(Call.FallbackUrlPurpose, request.FallbackUrl),
                FallbackMethod = request.FallbackMethod,
                HangupUrlSealed = Seal(Call.HangupUrlPurpose, request.HangupUrl),
                HangupMethod = request.HangupMethod,
                RingUrlSealed = Seal(Call.RingUrlPurpose, request.RingUrl),
                RingMethod = request.RingMethod,
                RingTimeoutSeconds = request.RingTimeoutSeconds,
                TimeLimitSeconds = request.TimeLimitSeconds,
                RequesterIp = requesterIp,
                CreatedAt = now,
                NextAttemptAt = now,
            };
        })];
    }
}

/// <summary>Wakes this node's call engine when calls were queued.</summary>
internal sealed class CallSignal(TimeProvider time) : WorkSignal(time);
