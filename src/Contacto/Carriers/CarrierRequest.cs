namespace Contacto.Carriers;

/// <summary>What carriers carry; a route is chosen per country and product.</summary>
public static class CarrierProducts
{
    public const string Sms = "sms";
    public const string Voice = "voice";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Sms, Voice };
}

/// <summary>What goes to a carrier, in no protocol's terms; its product picks the carriers that may take it.</summary>
internal abstract record CarrierRequest(string Product);

/// <summary>A text message. Numbers are in E.164; the sender may be an alphanumeric id instead.</summary>
internal sealed record SmsRequest(string From, bool AlphanumericSender, string To, string Text) : CarrierRequest(CarrierProducts.Sms);

/// <summary>
/// A new call. Numbers are in E.164; <paramref name="Offer"/> is the media offer (SDP), opaque here.
/// <see cref="Progress"/> hears what the far end signals before it answers; an answered call is
/// <see cref="CarrierOutcome.Call"/> of the accepted outcome. A call goes to another carrier only
/// while nothing can have reached the callee (no answer from the carrier at all, or its own
/// failure before anything rang); a callee that is busy, declines, does not exist, or has rung or
/// sent early media ends the routing (<see cref="CarrierOutcomeKind.Refused"/>). Cancelling the
/// router's token while the call is on its way cancels it (<see cref="CarrierError.Cancelled"/>).
/// </summary>
internal sealed record CallRequest(string From, string To, ReadOnlyMemory<byte> Offer) : CarrierRequest(CarrierProducts.Voice)
{
    /// <summary>Called for each signal before the answer, in order, on a network thread: keep it short.</summary>
    public Action<CallProgress>? Progress { get; init; }
}

internal enum CallProgressKind
{
    /// <summary>The callee is alerted.</summary>
    Ringing,

    /// <summary>The far end sends media before answering (tones, announcements): <see cref="CallProgress.Media"/> answers the offer.</summary>
    EarlyMedia,
}

/// <summary>A signal of a call on its way, from the carrier that has it.</summary>
internal sealed record CallProgress(string Carrier, CallProgressKind Kind, ReadOnlyMemory<byte> Media);
