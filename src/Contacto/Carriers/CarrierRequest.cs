namespace Contacto.Carriers;

/// <summary>What carriers carry; a route is chosen per country and product.</summary>
public static class CarrierProducts
{
    public const string Sms = "sms";
    public const string Voice = "voice";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Sms, Voice };
}

/// <summary>What goes to a carrier, in no protocol's terms; its product picks the carriers that may take it.</summary>
public abstract record CarrierRequest(string Product);

/// <summary>A text message. Numbers are in E.164; the sender may be an alphanumeric id instead.</summary>
public sealed record SmsRequest(string From, bool AlphanumericSender, string To, string Text) : CarrierRequest(CarrierProducts.Sms);
