using System.Xml;
using System.Xml.Linq;

namespace Contacto.Webhooks;

/// <summary>
/// Reads what an application answers in Plivo XML (a message reply, a call's instructions) as
/// hostile input: DTDs prohibited (so no entity expansion and no external entities), no resolver,
/// at most Plivo's 100 KB, at most <see cref="MaxDepth"/> levels and <see cref="MaxElements"/>
/// elements, checked while reading so that nothing past a limit is built. Problems name the rule
/// and where it broke, never the document's text (it can hold phone numbers).
/// </summary>
internal static class PlivoXml
{
    /// <summary>Deep enough for SSML inside a prompt inside <c>&lt;PreAnswer&gt;</c>, and no deeper.</summary>
    public const int MaxDepth = 16;

    public const int MaxElements = 1_000;

    static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = WebhookClient.MaxReplyBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The document's <c>&lt;Response&gt;</c> root (no namespace, no attributes), or why there is none.</summary>
    public static string? ReadResponse(string xml, out XElement? response)
    {
        response = null;
        if (xml.Length > WebhookClient.MaxReplyBytes)
            return $"the document is longer than {WebhookClient.MaxReplyBytes} characters";
        XDocument document;
        try
        {
            // First a streaming pass that stops at the first limit, then the tree of a document known to be within them.
            if (LimitProblem(xml) is { } problem)
                return problem;
            using var reader = XmlReader.Create(new StringReader(xml), Settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            // Its message can quote the document, so only where it broke.
            return $"not well-formed or not allowed (a DTD, an entity, a character XML forbids) at line {e.LineNumber}, position {e.LinePosition}";
        }
        if (document.Root is not { Name.LocalName: "Response", Name.NamespaceName: "" } root || root.HasAttributes)
            return "the root element must be <Response>, with no attributes";
        response = root;
        return null;
    }

    static string? LimitProblem(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), Settings);
        var elements = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
                continue;
            if (reader.Depth >= MaxDepth)
                return $"elements are nested more than {MaxDepth} deep";
            if (++elements > MaxElements)
                return $"the document has more than {MaxElements} elements";
        }
        return null;
    }
}
