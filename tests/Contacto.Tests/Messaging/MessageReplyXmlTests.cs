using Contacto.Messaging;
using Contacto.Webhooks;

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
}
