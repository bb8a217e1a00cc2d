using Contacto.Sip.Dialogs;

namespace Contacto.Carriers.Sip;

/// <summary>An established call over a SIP dialog, placed or taken.</summary>
internal sealed class SipCarrierCall(string carrier, SipDialog dialog, ReadOnlyMemory<byte> remoteMedia) : ICarrierCall
{
    public string Carrier => carrier;

    public ReadOnlyMemory<byte> RemoteMedia => remoteMedia;

    public Task<CallEnd> Ended { get; } = dialog.Ended.ContinueWith(t => t.Result switch
    {
        SipDialogEnd.LocalBye => CallEnd.HungUpHere,
        SipDialogEnd.RemoteBye => CallEnd.HungUpThere,
        _ => CallEnd.Lost,
    }, TaskScheduler.Default);

    public async Task HangUpAsync(CancellationToken cancellationToken = default)
    {
        if (dialog.State == SipDialogState.Terminated)
            return;
        try
        {
            await dialog.ByeAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The peer is gone or the dialog ended meanwhile: the call is over all the same.
        }
    }

    public async Task<ReadOnlyMemory<byte>?> RenegotiateAsync(ReadOnlyMemory<byte> offer, CancellationToken cancellationToken = default)
    {
        var response = await dialog.ReinviteAsync(offer.ToArray(), cancellationToken: cancellationToken);
        return response.IsSuccess ? response.Body : null;
    }
}

/// <summary>A call a trunk places, as the call sink sees it.</summary>
internal sealed class SipInboundCall(string carrier, SipIncomingCall incoming)
    : InboundCall(carrier, incoming.Request.From.Uri.User ?? "", incoming.Request.RequestUri.User ?? incoming.Request.To.Uri.User ?? "", incoming.Request.Body)
{
    int answered;

    public override Task Cancelled => incoming.Cancelled;

    public override void Ring(ReadOnlyMemory<byte> earlyMedia = default) =>
        incoming.Ring(earlyMedia.IsEmpty ? 180 : 183, earlyMedia.IsEmpty ? null : earlyMedia.ToArray());

    public override ICarrierCall Accept(ReadOnlyMemory<byte> answer)
    {
        Answer();
        return new SipCarrierCall(Carrier, incoming.Accept(answer.ToArray()), Offer);
    }

    /// <summary>Refuses the call; nothing to do once the caller cancelled it (it got 487).</summary>
    public override void Reject(CarrierError reason)
    {
        Answer();
        if (!incoming.Cancelled.IsCompleted)
            incoming.Reject(SipCodes.StatusOf(reason));
    }

    /// <summary>Refuses the call unless it was answered already.</summary>
    public void TryReject(CarrierError reason)
    {
        if (Interlocked.Exchange(ref answered, 1) == 0 && !incoming.Cancelled.IsCompleted)
            incoming.Reject(SipCodes.StatusOf(reason));
    }

    void Answer()
    {
        if (Interlocked.Exchange(ref answered, 1) != 0)
            throw new InvalidOperationException("The call has already been answered.");
    }
}
