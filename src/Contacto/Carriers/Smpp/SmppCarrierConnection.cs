using Contacto.Smpp;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Receipts;
using Contacto.Smpp.Text;
using Microsoft.Extensions.Logging;

namespace Contacto.Carriers.Smpp;

/// <summary>
/// An SMPP carrier's binds behind the router's protocol-neutral contract: texts go out as
/// submit_sm parts, answers and receipts come back in the platform's terms, SMPP's codes mapped.
/// </summary>
internal sealed class SmppCarrierConnection : ICarrierConnection
{
    readonly SmppCarrier carrier;
    readonly CarrierSinks sinks;

    public SmppCarrierConnection(SmppCarrierOptions options, CarrierSinks sinks, TimeProvider time, ILogger logger)
    {
        this.sinks = sinks;
        carrier = new SmppCarrier(options, OnInboundAsync, time, logger);
        carrier.HealthChanged += health => LinkChanged?.Invoke(Link(health));
    }

    public bool IsReady => carrier.CanSubmit;

    public IReadOnlyList<LinkHealth> Links => [.. carrier.Health.Select(Link)];

    public event Action<LinkHealth>? LinkChanged;

    public void Start() => carrier.Start();

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken = default) => carrier.WaitUntilAnyBoundAsync(cancellationToken);

    public async Task<CarrierAttempt> SendAsync(CarrierRequest request, CancellationToken cancellationToken)
    {
        if (request is not SmsRequest sms)
            throw new NotSupportedException($"An SMPP carrier carries texts, not {request.Product}");
        var text = new OutboundText(
            sms.AlphanumericSender ? SmeAddress.Alphanumeric(sms.From) : SmeAddress.International(sms.From),
            SmeAddress.International(sms.To),
            sms.Text);
        TextSubmission submission;
        try
        {
            submission = await carrier.SendTextAsync(text, cancellationToken);
        }
        catch (Exception e) when (e is SmppException or IOException)
        {
            return CarrierAttempt.LinkFailed;
        }
        if (submission.IsComplete)
            return CarrierAttempt.Accepted([.. submission.Parts.Select(p => carrier.KeyOf(p))], submission.SegmentCount);
        // The answer to the part that stopped the text, unless the link failed under it.
        if (submission.Failure is not null || submission.Parts.Count == 0)
            return CarrierAttempt.LinkFailed;
        var answer = submission.Parts[^1];
        return answer.IsTemporary ? CarrierAttempt.Throttled : CarrierAttempt.Refused(ErrorOf(answer.Status));
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => carrier.StopAsync(cancellationToken);

    async ValueTask OnInboundAsync(InboundMessage inbound, CancellationToken cancellationToken)
    {
        if (inbound.Receipt is { } receipt)
        {
            await sinks.Receipts.AcceptAsync(new CarrierReceipt(carrier.Name, carrier.KeyOf(receipt), StateOf(receipt.State), ErrorOf(receipt.State)), cancellationToken);
            return;
        }
        var segment = inbound.Content?.Concatenation is { Total: > 1 } part && part.Sequence >= 1 && part.Sequence <= part.Total
            ? new InboundSegment(part.Reference, part.Sequence, part.Total)
            : (InboundSegment?)null;
        await sinks.Messages.AcceptAsync(new InboundSms(carrier.Name, inbound.Source.Address, inbound.Source.Ton == SmeAddress.TonAlphanumeric,
            inbound.Destination.Address, inbound.Content?.Text, segment), cancellationToken);
    }

    static LinkHealth Link(BindHealth health) => new(health.Name, health.IsUp,
        health.State switch
        {
            BindState.Bound => "up",
            BindState.Binding => "binding",
            BindState.Stopped => "stopped",
            _ => "down",
        },
        health.State == BindState.Down ? health.LastCloseReason?.ToString() ?? health.LastError ?? "no reason given" : null);

    /// <summary>A refused submit.</summary>
    static CarrierError ErrorOf(CommandStatus status) => status switch
    {
        CommandStatus.InvalidDestinationAddress => CarrierError.InvalidDestination,
        CommandStatus.InvalidSourceAddress => CarrierError.InvalidSource,
        CommandStatus.SubmitFailed => CarrierError.NetworkError,
        _ => CarrierError.Prohibited,
    };

    static ReceiptState StateOf(MessageState state) => state switch
    {
        MessageState.Delivered => ReceiptState.Delivered,
        MessageState.Expired or MessageState.Deleted or MessageState.Undeliverable or MessageState.Rejected => ReceiptState.Undelivered,
        _ => ReceiptState.Pending,
    };

    /// <summary>Why a final receipt is not a delivery.</summary>
    static CarrierError ErrorOf(MessageState state) => state switch
    {
        MessageState.Expired => CarrierError.TemporarilyUnavailable,
        MessageState.Undeliverable => CarrierError.PermanentlyUnavailable,
        MessageState.Rejected => CarrierError.Prohibited,
        _ => CarrierError.Unknown,
    };
}
