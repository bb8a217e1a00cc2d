using Contacto.Smpp.Protocol;
using Contacto.Smpp.Receipts;
using Contacto.Smpp.Text;
using Microsoft.Extensions.Logging;

namespace Contacto.Smpp.Client;

/// <summary>
/// All binds to one carrier. Submits go to the bound bind with the fewest requests in
/// flight; texts are split the way the carrier wants; health is reported per bind so a
/// router can fail over to another carrier.
/// </summary>
public sealed class SmppCarrier : IAsyncDisposable
{
    private readonly SmppCarrierOptions _options;
    private readonly ConcatenationReferences _references = new();
    private readonly SmppBind[] _binds;

    public SmppCarrier(
        SmppCarrierOptions options,
        InboundMessageHandler? inbound = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        options.Validate();
        _options = options;
        _binds = [.. options.Binds.Select(b => new SmppBind(b, inbound, timeProvider, logger, options.Text))];
        foreach (var bind in _binds)
        {
            bind.HealthChanged += health => HealthChanged?.Invoke(health);
        }
    }

    public string Name => _options.Name;

    public IReadOnlyList<SmppBind> Binds => _binds;

    /// <summary>Raised when any bind changes state.</summary>
    public event Action<BindHealth>? HealthChanged;

    public IReadOnlyList<BindHealth> Health => [.. _binds.Select(b => b.Health)];

    /// <summary>True while at least one bind can take submits.</summary>
    public bool CanSubmit => _binds.Any(b => b.Mode.CanSubmit() && b.IsUp);

    public void Start()
    {
        foreach (var bind in _binds)
        {
            bind.Start();
        }
    }

    public Task WaitUntilAnyBoundAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAny(_binds.Select(b => b.WaitUntilBoundAsync(cancellationToken))).Unwrap();

    /// <summary>Segments and data_coding the text will take on this carrier.</summary>
    public SmsPlan Plan(string text) => SmsPlanner.Plan(text, _options.Text);

    /// <summary>Submits a PDU already built (one part of a text split by the caller).</summary>
    public Task<SubmitResult> SubmitAsync(SubmitSm submit, CancellationToken cancellationToken = default) =>
        PickBind() is { } bind
            ? bind.SubmitAsync(submit, cancellationToken)
            : Task.FromException<SubmitResult>(new SmppNotBoundException($"{Name} has no bound transmitter."));

    /// <summary>
    /// Splits the text for this carrier and submits the parts in order. Stops at the first part
    /// not accepted, or at a failure of the link (reported in <see cref="TextSubmission.Failure"/>
    /// with the parts accepted before it). Cancellation stops the message only before its first
    /// part is sent: a message half on the wire is finished, never left in pieces.
    /// </summary>
    public async Task<TextSubmission> SendTextAsync(OutboundText message, CancellationToken cancellationToken = default)
    {
        var parts = ShortMessageBuilder.BuildSubmits(message, _options.Text, _references);
        var results = new List<SubmitResult>(parts.Count);
        foreach (var part in parts)
        {
            try
            {
                var result = await SubmitAsync(part, results.Count == 0 ? cancellationToken : CancellationToken.None).ConfigureAwait(false);
                results.Add(result);
                if (!result.IsAccepted)
                {
                    break;
                }
            }
            catch (SmppException failure)
            {
                return new TextSubmission(parts.Count, results, failure);
            }
        }
        return new TextSubmission(parts.Count, results, null);
    }

    /// <summary>The key to store a submitted message under; <see cref="KeyOf(DeliveryReceipt)"/> gives the same for its receipt.</summary>
    public string KeyOf(SubmitResult result) => MessageIds.Canonical(result.MessageId, _options.MessageIds.SubmitResponse);

    /// <summary>The key to find the submitted message a receipt is about.</summary>
    public string KeyOf(DeliveryReceipt receipt) => MessageIds.Canonical(receipt.MessageId, _options.MessageIds.Receipt);

    public async Task StopAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(_binds.Select(b => b.StopAsync(cancellationToken))).ConfigureAwait(false);

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private SmppBind? PickBind()
    {
        SmppBind? best = null;
        var fewest = int.MaxValue;
        foreach (var bind in _binds)
        {
            var outstanding = bind.Outstanding;
            if (bind.Mode.CanSubmit() && bind.IsUp && outstanding < fewest)
            {
                (best, fewest) = (bind, outstanding);
            }
        }
        return best;
    }
}
