namespace Contacto.Webhooks;

/// <summary>What a callback is about: a kind a handler answers to, and the record's id.</summary>
internal sealed record WebhookSubject(string Kind, Guid Id);

/// <summary>The body of a 2xx answer (at most <see cref="WebhookClient.MaxReplyBytes"/>), for callbacks whose answer means something.</summary>
internal sealed record WebhookReply(string? ContentType, string? Body, bool TooLarge);

/// <summary>How a callback ended: delivered (2xx) or given up (refused, 4xx, retries exhausted).</summary>
internal sealed record WebhookOutcome(WebhookDelivery Delivery, bool Delivered, int? Status, WebhookReply? Reply);

/// <summary>
/// A capability that follows how its callbacks end (an inbound message is delivered or not as its
/// application answered). Called once a delivery is final, before that is recorded: a node that
/// stops in between sends the callback again and calls again, so handlers must be idempotent.
/// </summary>
internal interface IWebhookOutcomeHandler
{
    /// <summary>The <see cref="WebhookSubject.Kind"/> it handles.</summary>
    string Subject { get; }

    Task OnFinishedAsync(WebhookOutcome outcome, CancellationToken cancellationToken);
}
