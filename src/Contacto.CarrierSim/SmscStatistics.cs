namespace Contacto.CarrierSim;

/// <summary>Counters of what the simulator did, safe to read while it runs.</summary>
public sealed class SmscStatistics
{
    private long _bindsAccepted;
    private long _bindsRefused;
    private long _submitsAccepted;
    private long _submitsThrottled;
    private long _submitsRejected;
    private long _receiptsSent;
    private long _receiptsUndeliverable;
    private long _receiptsRefusedForNow;
    private long _mobileOriginatedSent;

    public long BindsAccepted => Interlocked.Read(ref _bindsAccepted);

    public long BindsRefused => Interlocked.Read(ref _bindsRefused);

    public long SubmitsAccepted => Interlocked.Read(ref _submitsAccepted);

    public long SubmitsThrottled => Interlocked.Read(ref _submitsThrottled);

    public long SubmitsRejected => Interlocked.Read(ref _submitsRejected);

    public long ReceiptsSent => Interlocked.Read(ref _receiptsSent);

    /// <summary>Receipts that found no bound receiver or whose send failed.</summary>
    public long ReceiptsUndeliverable => Interlocked.Read(ref _receiptsUndeliverable);

    /// <summary>Receipts the receiver answered throttled or with a temporary error, each time; they are sent again.</summary>
    public long ReceiptsRefusedForNow => Interlocked.Read(ref _receiptsRefusedForNow);

    public long MobileOriginatedSent => Interlocked.Read(ref _mobileOriginatedSent);

    internal void BindAccepted() => Interlocked.Increment(ref _bindsAccepted);

    internal void BindRefused() => Interlocked.Increment(ref _bindsRefused);

    internal void SubmitAccepted() => Interlocked.Increment(ref _submitsAccepted);

    internal void SubmitThrottled() => Interlocked.Increment(ref _submitsThrottled);

    internal void SubmitRejected() => Interlocked.Increment(ref _submitsRejected);

    internal void ReceiptSent() => Interlocked.Increment(ref _receiptsSent);

    internal void ReceiptUndeliverable() => Interlocked.Increment(ref _receiptsUndeliverable);

    internal void ReceiptRefusedForNow() => Interlocked.Increment(ref _receiptsRefusedForNow);

    internal void MobileOriginated() => Interlocked.Increment(ref _mobileOriginatedSent);

    public override string ToString() =>
        $"binds {BindsAccepted} (refused {BindsRefused}), submits {SubmitsAccepted} " +
        $"(throttled {SubmitsThrottled}, rejected {SubmitsRejected}), receipts {ReceiptsSent} " +
        $"(undeliverable {ReceiptsUndeliverable}), MO {MobileOriginatedSent}";
}
