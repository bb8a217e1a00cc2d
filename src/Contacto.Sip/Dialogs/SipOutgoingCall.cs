using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Dialogs;

/// <summary>What an outgoing call needs: who, where, the offer, and the credentials for digest challenges.</summary>
public sealed record SipCallOptions
{
    public required SipUri RequestUri { get; init; }

    public required SipNameAddress From { get; init; }

    public required SipNameAddress To { get; init; }

    /// <summary>The next hop: a trunk's address, a proxy's.</summary>
    public required SipTarget Target { get; init; }

    public byte[]? Offer { get; init; }

    public string ContentType { get; init; } = "application/sdp";

    /// <summary>Answers one 401 or 407 challenge (and one more if the nonce was stale).</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>Route headers to put on the INVITE (a preloaded route set).</summary>
    public IReadOnlyList<SipUri> Routes { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Every provisional response but 100, in order (180, 183 with early media, ...); set before the INVITE leaves.</summary>
    public Action<SipResponse>? Provisional { get; init; }
}

/// <summary>
/// An INVITE on its way: provisional responses as they come (early dialogs and early media),
/// then <see cref="Completion"/> with the final response and, on a 2xx, the confirmed dialog
/// (the ACK is sent here). <see cref="CancelAsync"/> sends CANCEL once a provisional response
/// allows it (RFC 3261 9.1); a 2xx that crosses it is acknowledged and ended with BYE.
/// </summary>
public sealed class SipOutgoingCall
{
    private readonly TaskCompletionSource<(SipResponse, SipDialog?)> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _provisional = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _cancelRequested;

    internal SipOutgoingCall(SipCallOptions options)
    {
        Options = options;
    }

    public SipCallOptions Options { get; }

    /// <summary>The INVITE now on the wire (a new one after a digest challenge).</summary>
    public SipRequest? Invite { get; internal set; }

    /// <summary>A provisional response carrying a body (early media) has arrived.</summary>
    public bool HadEarlyMedia { get; private set; }

    /// <summary>
    /// Completes at the first provisional response, 100 Trying included: the next hop is alive and
    /// has the INVITE (a trunk adapter stops waiting to fail over then).
    /// </summary>
    public Task Proceeding => _provisional.Task;

    /// <summary>The final response, and the dialog when it was a 2xx.</summary>
    public Task<(SipResponse Response, SipDialog? Dialog)> Completion => _completion.Task;

    internal bool CancelRequested => Volatile.Read(ref _cancelRequested) == 1;

    internal Func<Task>? SendCancel { get; set; }

    /// <summary>Cancels the call if no final response has come: at once after a provisional response, else as soon as one arrives.</summary>
    public async Task CancelAsync()
    {
        if (Interlocked.Exchange(ref _cancelRequested, 1) != 0 || _completion.Task.IsCompleted)
        {
            return;
        }
        if (_provisional.Task.IsCompleted && SendCancel is { } send)
        {
            await send().ConfigureAwait(false);
        }
    }

    internal void OnProvisional(SipResponse response)
    {
        if (response.StatusCode == 100)
        {
            MarkProvisional();
            return;
        }
        HadEarlyMedia |= response.Body.Length > 0;
        MarkProvisional();
        Options.Provisional?.Invoke(response);
    }

    internal void Complete(SipResponse response, SipDialog? dialog) => _completion.TrySetResult((response, dialog));

    private void MarkProvisional()
    {
        if (_provisional.TrySetResult() && CancelRequested && SendCancel is { } send)
        {
            _ = send();
        }
    }
}
