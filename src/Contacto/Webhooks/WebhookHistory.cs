using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Webhooks;

/// <summary>
/// The callbacks of one resource (its ordering key: a message's UUID) as the API shows them, oldest
/// first: each attempt's time, status code, latency, error and what comes next. Never the URL (it
/// may hold a secret) nor the signatures; the state each callback reports is read from its sealed fields.
/// </summary>
internal static class WebhookHistory
{
    public static async Task<List<Dictionary<string, object?>>> ViewsAsync(ContactoDbContext db, TenantKeyLease keys, string orderingKey, CancellationToken cancellationToken)
    {
        var deliveries = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.OrderingKey == orderingKey)
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync(cancellationToken);
        var attempts = (await db.Set<WebhookAttempt>().AsNoTracking().Where(a => a.OrderingKey == orderingKey).OrderBy(a => a.At).ToListAsync(cancellationToken))
            .ToLookup(a => a.DeliveryId);
        return deliveries.Select(d => new Dictionary<string, object?>
        {
            ["callback_id"] = d.Id.ToString(),
            ["message_state"] = WebhookOutbox.OpenFields(keys, d).FirstOrDefault(f => f.Key == "Status").Value,
            ["method"] = d.Method,
            ["state"] = d.State.ToString().ToLowerInvariant(),
            ["created_time"] = AuditEndpoints.Format(d.CreatedAt),
            ["attempt_count"] = d.Attempts,
            ["next_attempt_time"] = d.State == DeliveryState.Pending ? AuditEndpoints.Format(d.NextAttemptAt) : null,
            ["finished_time"] = d.FinishedAt is { } finished ? AuditEndpoints.Format(finished) : null,
            ["attempts"] = attempts[d.Id].Select(a => new Dictionary<string, object?>
            {
                ["time"] = AuditEndpoints.Format(a.At),
                ["status_code"] = a.Status,
                ["outcome"] = a.Outcome switch { AttemptOutcome.Delivered => "delivered", AttemptOutcome.Retry => "retry", _ => "give_up" },
                ["latency_ms"] = Math.Round(a.LatencyMs, 1),
                ["error"] = a.Error,
            }).ToList(),
        }).ToList();
    }
}
