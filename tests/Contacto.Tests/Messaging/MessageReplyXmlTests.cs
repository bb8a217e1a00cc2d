using Contacto.Messaging;
using Contacto.Tests.Webhooks;
using Contacto.Webhooks;
using CsCheck;

namespace Contacto.Tests.Messaging;

/// <summary>Reading an application's XML answer to an inbound message.</summary>
public sealed class MessageReplyXmlTests
{
    [Fact]
    public void Message_elements_are_read_with_their_attributes_and_defaults()
    {
        var replies = MessageReplyXml.Parse(
            """
            <Response>
              <Message src="14155551111" dst="14155552222&lt;14155553333" type="sms" callbackUrl="https://cb.example.com/s" callbackMethod="get">Hi "you" &amp; co</Message>
              <Message src="14155551111" dst="14155554444">Second</Message>
            </Response>
            """);

        Assert.Equal(
            [
                new MessageReplyXml.Reply("14155551111", "14155552222<14155553333", "Hi \"you\" & co", "https://cb.example.com/s", "GET"),
                new MessageReplyXml.Reply("14155551111", "14155554444", "Second", null, "POST"),
            ],
            replies);
        Assert.Empty(MessageReplyXml.Parse("<Response/>"));
    }

    [Theory]
    [InlineData("<!DOCTYPE Response><Response/>", "not well-formed or not allowed")]
    [InlineData("<Reply/>", "the root element must be <Response>")]
    [InlineData("<Response><Hangup/></Response>", "<Hangup> cannot answer a message")]
    [InlineData("<Response><Message dst=\"1\">x</Message></Response>", "<Message> needs src")]
    [InlineData("<Response><Message src=\"1\" dst=\"2\"></Message></Response>", "<Message> needs a text")]
    [InlineData("<Response><Message src=\"1\" dst=\"2\" type=\"mms\">x</Message></Response>", "<Message type> must be sms")]
    [InlineData("<Response><Message src=\"1\" dst=\"2\" callbackMethod=\"PUT\">x</Message></Response>", "callbackMethod> must be GET or POST")]
    [InlineData("<Response><Message src=\"1\" dst=\"2\" url=\"x\">x</Message></Response>", "<Message> has no attribute url")]
    [InlineData("<Response><Message src=\"1\" dst=\"2\"><b>x</b></Message></Response>", "<Message> holds only its text")]
    public void Anything_else_is_refused_with_the_reason(string xml, string problem)
    {
        var refused = Assert.Throws<MessageReplyXml.InvalidException>(() => MessageReplyXml.Parse(xml));
        Assert.Contains(problem, refused.Message);
    }

    [Fact]
    public void A_document_longer_than_Plivos_cap_is_refused()
    {
        var text = new string('a', WebhookClient.MaxReplyBytes);
        Assert.Throws<MessageReplyXml.InvalidException>(() => MessageReplyXml.Parse($"<Response><Message src=\"1\" dst=\"2\">{text}</Message></Response>"));
    }

    [Fact]
    public void Replies_nested_too_deep_or_with_too_many_elements_are_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("<Message>", PlivoXml.MaxDepth)) + string.Concat(Enumerable.Repeat("</Message>", PlivoXml.MaxDepth));
        Assert.Contains($"nested more than {PlivoXml.MaxDepth} deep", Assert.Throws<MessageReplyXml.InvalidException>(() => MessageReplyXml.Parse($"<Response>{deep}</Response>")).Message);

        var many = string.Concat(Enumerable.Repeat("<Message src=\"1\" dst=\"2\">x</Message>", PlivoXml.MaxElements));
        Assert.Contains($"more than {PlivoXml.MaxElements} elements", Assert.Throws<MessageReplyXml.InvalidException>(() => MessageReplyXml.Parse($"<Response>{many}</Response>")).Message);
        Assert.Equal(PlivoXml.MaxElements - 1, MessageReplyXml.Parse($"<Response>{many[..^"<Message src=\"1\" dst=\"2\">x</Message>".Length]}</Response>").Count);
    }

    [Fact]
    public void A_refusal_for_XML_that_is_not_well_formed_quotes_nothing_of_it()
    {
        var refused = Assert.Throws<MessageReplyXml.InvalidException>(() => MessageReplyXml.Parse("<Response><Message src=\"1\" dst=\"2\">14155550123</Messages></Response>"));

        Assert.Contains("line 1, position", refused.Message);
        Assert.DoesNotContain("1415", refused.Message);
        Assert.DoesNotContain("Messages", refused.Message);
    }

    static readonly string[] Names = ["Response", "Message", "Dial", "Speak", "response", "x:Message", "Message xmlns=\"urn:x\"", "Message "];

    static readonly string[] AttributeNames = ["src", "dst", "type", "callbackUrl", "callbackMethod", "url", "SRC", "xmlns", "xmlns:x", "x:src"];

    static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 0, 12]),
        (2, Gen.OneOf("&amp;", "&lt;", "&#0;", "&#x1F600;", "&#xD800;", "&bogus;", "<![CDATA[x]]>", "<!-- c -->", "<?pi x?>", "\u0000", "\ufffe", "]]>", "\"", "'", "&")),
        (1, Gen.String[Gen.Char, 0, 20]));

    static readonly Gen<string> Attributes = Gen.Select(Gen.OneOf(AttributeNames), Text, Gen.Bool)
        .Select((name, value, quoted) => quoted ? $" {name}=\"{value}\"" : $" {name}={value}").Array[0, 6].Select(string.Concat);

    static Gen<string> Element(int depth) => Gen.Select(Gen.OneOf(Names), Attributes, depth == 0 ? Text.Array[0, 3].Select(string.Concat) : Gen.Frequency((3, Text), (1, Element(depth - 1))).Array[0, 4].Select(string.Concat), Gen.Int[0, 9])
        .Select((name, attributes, content, shape) => shape switch
        {
            0 => $"<{name}{attributes}/>",
            1 => $"<{name}{attributes}>{content}",
            2 => $"<{name}{attributes}>{content}</{name.Split(' ')[0]}x>",
            _ => $"<{name}{attributes}>{content}</{name.Split(' ')[0]}>",
        });

    const string Valid = "<Response><Message src=\"14155551111\" dst=\"14155552222\" callbackUrl=\"https://cb.example.com/s\">Hi &amp; bye</Message></Response>";

    /// <summary>XML an application might answer with, or an attacker: generated trees, prologs and bombs, and mutations of a valid reply.</summary>
    internal static readonly Gen<string> HostileXml = Gen.Frequency(
        (4, Gen.Select(Gen.OneOf("", "<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"utf-16\"?>", "\ufeff", " \n"), Element(3)).Select((prolog, body) => prolog + body)),
        (3, Gen.Select(Gen.Int[0, Valid.Length], Gen.Int[0, 5], Gen.Char).Array[1, 6].Select(edits =>
        {
            var text = new System.Text.StringBuilder(Valid);
            foreach (var (at, op, c) in edits)
            {
                var position = Math.Min(at, text.Length);
                if (op == 0 && position < text.Length)
                    text.Remove(position, 1);
                else if (op == 1 && position < text.Length)
                    text[position] = c;
                else
                    text.Insert(position, c);
            }
            return text.ToString();
        })),
        (1, Gen.OneOf(
            "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Response>&c;</Response>",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Response><Message src=\"1\" dst=\"2\">&x;</Message></Response>",
            "<Response>" + string.Concat(Enumerable.Repeat("<Message>", 5_000)) + "</Response>",
            "<Response>" + string.Concat(Enumerable.Repeat("<Message src=\"1\" dst=\"2\">x</Message>", 3_000)) + "</Response>",
            "<Response xmlns:a=\"urn:a\"><a:Message src=\"1\" dst=\"2\">x</a:Message></Response>")));

    /// <summary>The parser's whole contract on any input: replies that are usable, or its own refusal.</summary>
    internal static void ParsesOrIsRefused(string xml)
    {
        try
        {
            ParsesIntoUsableReplies(xml);
        }
        catch (MessageReplyXml.InvalidException)
        {
        }
    }

    static void ParsesIntoUsableReplies(string xml)
    {
        foreach (var reply in MessageReplyXml.Parse(xml))
        {
            Assert.NotEmpty(reply.Source);
            Assert.NotEmpty(reply.Destinations);
            Assert.NotEmpty(reply.Text);
            Assert.Contains(reply.CallbackMethod, new[] { "GET", "POST" });
        }
    }

    [Fact]
    public void Hostile_and_mutated_replies_parse_into_usable_messages_or_are_refused()
    {
        var (parsed, refused) = PlivoXmlFuzz.Run<MessageReplyXml.InvalidException>(HostileXml, stream: 38, seed: 35_0003, count: 2_000, ParsesIntoUsableReplies);

        // Both ways out are exercised, or the generator has drifted away from the parser.
        Assert.True(parsed > 20 && refused > 20, $"{parsed} parsed, {refused} refused");
    }
}
