using System.Xml.Linq;
using Contacto.Webhooks;

namespace Contacto.Messaging;

/// <summary>
/// An application's answer to an inbound message in Plivo XML: <c>&lt;Response&gt;</c> holding only
/// <c>&lt;Message src dst type callbackUrl callbackMethod&gt;text&lt;/Message&gt;</c> elements, read as
/// hostile input (<see cref="PlivoXml"/>). A call's instructions hold the same element.
/// </summary>
internal static class MessageReplyXml
{
    public sealed record Reply(string Source, string Destinations, string Text, string? CallbackUrl, string CallbackMethod);

    public sealed class InvalidException(string problem) : Exception(problem);

    static readonly string[] Attributes = ["src", "dst", "type", "callbackUrl", "callbackMethod"];

    /// <summary>True when the answer looks like XML at all; anything else (empty, text, JSON) is a plain acknowledgement.</summary>
    public static bool LooksLikeXml(string body) => body.AsSpan().TrimStart().StartsWith("<");

    public static IReadOnlyList<Reply> Parse(string xml)
    {
        if (PlivoXml.ReadResponse(xml, out var response) is { } problem)
            throw new InvalidException(problem);
        return [.. response!.Elements().Select(element => element.Name == "Message"
            ? Read(element)
            : throw new InvalidException($"<{element.Name.LocalName}> cannot answer a message: only <Message>"))];
    }

    /// <summary>One <c>&lt;Message&gt;</c> element, in a reply or in a call's instructions.</summary>
    public static Reply Read(XElement element)
    {
        if (element.HasElements)
            throw new InvalidException("<Message> holds only its text");
        if (element.Attributes().FirstOrDefault(a => !Attributes.Contains(a.Name.ToString())) is { } unknown)
            throw new InvalidException($"<Message> has no attribute {unknown.Name}");
        string? Attribute(string name) => element.Attribute(name)?.Value;
        if ((Attribute("type") ?? "sms") != "sms")
            throw new InvalidException("<Message type> must be sms");
        var method = (Attribute("callbackMethod") ?? "POST").ToUpperInvariant();
        if (method is not ("GET" or "POST"))
            throw new InvalidException("<Message callbackMethod> must be GET or POST");
        return new Reply(
            Attribute("src") is { Length: > 0 } src ? src : throw new InvalidException("<Message> needs src"),
            Attribute("dst") is { Length: > 0 } dst ? dst : throw new InvalidException("<Message> needs dst"),
            element.Value.Length > 0 ? element.Value : throw new InvalidException("<Message> needs a text"),
            Attribute("callbackUrl"),
            method);
    }
}
