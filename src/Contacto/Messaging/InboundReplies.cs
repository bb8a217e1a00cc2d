using Contacto.Api;
using Contacto.Audit;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Messaging;

/// <summary>
/// Follows the callback of an inbound message: the message becomes <c>delivered</c> when its
/// application answered 2xx and <c>undelivered</c> when the callback was given up (a 4xx, a refused
/// URL, retries exhausted). An XML answer's <c>&lt;Message&gt;</c> elements are sent through the
/// normal send path, checked as the Message API checks a send, in the same transaction as the
/// state change, so a callback sent again after a restart sends no reply twice. An invalid answer
/// sends nothing; the inbound message is delivered all the same.
/// </summary>
internal sealed partial class InboundReplies(
    IDbContextFactory<ContactoDbContext> contexts,
    MessageService messages,
    OutboundUrlPolicy policy,
    MessagingMetrics metrics,
    IOptions<MessagingOptions> options,
    TimeProvider time,
    ILogger<InboundReplies> logger) : IWebhookOutcomeHandler
{
    public const string Kind = "message.inbound";

    public string Subject => Kind;

    public async Task OnFinishedAsync(WebhookOutcome outcome, CancellationToken cancellationToken)
    {
        var accountId = outcome.Delivery.AccountId;
        var messageId = outcome.Delivery.SubjectId ?? throw new InvalidOperationException("An inbound message callback without its message");
        var state = outcome.Delivered ? MessageStates.Delivered : MessageStates.Undelivered;
        var replies = outcome.Delivered ? await PrepareRepliesAsync(accountId, messageId, outcome.Reply, cancellationToken) : [];

        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var moved = await db.Set<Message>().Where(m => m.Id == messageId && m.State == MessageStates.Received)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.State, state).SetProperty(m => m.UpdatedAt, now), cancellationToken);
        if (moved == 0)
            return; // settled already: this callback was sent again after a restart
        await messages.AddAsync(db, replies, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.Reached(state);
        foreach (var reply in replies)
            messages.Queued(reply);
        if (replies.Count > 0)
            metrics.Reply("sent");
    }

    /// <summary>The messages an XML answer asks for, checked and sealed; none when the answer is not XML or any part of it is refused.</summary>
    async Task<List<PreparedSend>> PrepareRepliesAsync(Guid accountId, Guid messageId, WebhookReply? answer, CancellationToken cancellationToken)
    {
        if (answer is { TooLarge: true })
            return Refused(messageId, "invalid", $"it is larger than {WebhookClient.MaxReplyBytes} bytes");
        if (answer?.Body is not { } body || !MessageReplyXml.LooksLikeXml(body))
            return [];
        IReadOnlyList<MessageReplyXml.Reply> asked;
        try
        {
            asked = MessageReplyXml.Parse(body);
        }
        catch (MessageReplyXml.InvalidException e)
        {
            return Refused(messageId, "invalid", e.Message);
        }
        var prepared = new List<PreparedSend>();
        var record = new AuditEntry(accountId, AuditActor.System, AuditActions.MessageQueued, "message", null, Reason: $"reply to inbound message {messageId}");
        await using var db = contexts.CreateDbContext();
        foreach (var reply in asked)
        {
            try
            {
                if (reply.Text.Length > options.Value.MaxTextLength)
                    throw ApiException.BadRequest($"text is longer than {options.Value.MaxTextLength} characters");
                if (reply.CallbackUrl is { } url && await policy.ProblemWhenSavedAsync(url, cancellationToken) is { } problem)
                    throw ApiException.BadRequest($"callbackUrl {problem}");
                var request = new SendRequest(reply.Source, reply.Destinations, reply.Text, reply.CallbackUrl, reply.CallbackMethod, Log: true);
                prepared.Add((await messages.PrepareAsync(db, accountId, request, record, requesterIp: null, cancellationToken)).Send);
            }
            catch (ApiException e)
            {
                return Refused(messageId, "refused", e.Message);
            }
        }
        return prepared;
    }

    List<PreparedSend> Refused(Guid messageId, string outcome, string problem)
    {
        metrics.Reply(outcome);
        LogReplyRefused(messageId, problem);
        return [];
    }

    [LoggerMessage(EventId = 2031, Level = LogLevel.Warning, Message = "The answer to inbound message {MessageId} sends nothing: {Problem}")]
    partial void LogReplyRefused(Guid messageId, string problem);
}
