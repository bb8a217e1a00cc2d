using System.Text;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Transport;

public sealed class SipStreamFramerTests
{
    [Theory]
    [InlineData("\r\n\r\n", "Ping", 4)]
    [InlineData("\r\nINVITE", "Blank", 2)]
    [InlineData("\r\n", "NeedMore", 0)]
    [InlineData("\r\n\r", "NeedMore", 0)]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nab", "NeedMore", 0)]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabcOPTIONS", "Message", 36)]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nCONTENT-LENGTH  :  0\r\n\r\n", "Message", 49)]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nX: 1\r\n\r\n", "Unframeable", 0)]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n", "Unframeable", 0)]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 200\r\n\r\n", "Unframeable", 0)]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nX: 1", "NeedMore", 0)]
    public void FramesAreCutByContentLength(string text, string kind, int length)
    {
        Assert.Equal(Enum.Parse<FrameKind>(kind), SipStreamFramer.Next(Encoding.UTF8.GetBytes(text), 100, out var cut));
        Assert.Equal(length, cut);
    }

    [Fact]
    public void AHeadLongerThanTheLimitIsUnframeable() =>
        Assert.Equal(FrameKind.Unframeable, SipStreamFramer.Next(Encoding.UTF8.GetBytes("OPTIONS " + new string('a', 200)), 100, out _));
}
