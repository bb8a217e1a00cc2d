using System.Xml;
using System.Xml.Linq;
using Contacto.Webhooks;

namespace Contacto.Messaging;

/// <summary>
/// An application's answer to an inbound message in Plivo XML: <c>&lt;Response&gt;</c> holding only
/// <c>&lt;Message src dst type callbackUrl callbackMethod&gt;text&lt;/Message&gt;</c> elements. Read with
/// DTDs prohibited (so no entity expansion and no external entities), no resolver, and at most
/// Plivo's 100 KB.
/// </summary>
internal static class MessageReplyXml
{
    public sealed record Reply(string Source, string Destinations, string Text, string? CallbackUrl, string CallbackMethod);

    public sealed class InvalidException(string problem) : Exception(problem);

    static readonly string[] Attributes = ["src", "dst", "type", "callbackUrl", "callbackMethod"];

    static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = WebhookClient.MaxReplyBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>True when the answer looks like XML at all; anything else (empty, text, JSON) is a plain acknowledgement.</summary>
    public static bool LooksLikeXml(string body) => body.AsSpan().TrimStart().StartsWith("<");

    public static IReadOnlyList<Reply> Parse(string xml)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), Settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new InvalidException($"not well-formed or not allowed: {e.Message}");
        }
        if (document.Root is not { Name.LocalName: "Response", Name.NamespaceName: "" } root || root.HasAttributes)
            throw new InvalidException("the root element must be <Response>");
        return [.. root.Elements().Select(Read)];
    }

    static Reply Read(XElement element)
    {
        if (element.Name != "Message")
            throw new InvalidException($"<{element.Name.LocalName}> cannot answer a message: only <Message>");
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
