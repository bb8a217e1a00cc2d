using System.Text;

namespace Contacto.Sip.Fuzzing;

/// <summary>
/// Seeded SIP fuzz input: well-formed messages of every kind, and ways to damage them that aim at
/// the grammar (separators, quotes, brackets, escapes, folding, numbers, lengths) as well as at
/// the bytes. Shared by the tests and the fuzz runner under bench/.
/// </summary>
internal static class SipFuzz
{
    public static readonly string[] Valid =
    [
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\nMax-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\nFrom: \"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 314159 INVITE\r\nContact: <sip:alice@pc33.atlanta.example.com;transport=tcp>\r\nRecord-Route: <sip:p1.example.com;lr>, <sip:[2001:db8::1]:5070;lr>\r\n" +
        "Content-Type: application/sdp\r\nContent-Length: 31\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n",
        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/TCP 192.0.2.4:5060;branch=z9hG4bKnashds8;received=192.0.2.3;rport=5061\r\nTo: <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" +
        "From: <sip:alice@atlanta.example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContact: <sip:bob@192.0.2.4>\r\nl: 0\r\n\r\n",
        "OPTIONS sips:[2001:db8::10]:5061;transport=tls SIP/2.0\r\nv: SIP/2.0/TLS [2001:db8::9:1];branch=z9hG4bKa;received=2001:db8::9:255\r\nf: sip:u@example.com;tag=x\r\n" +
        "t: tel:+1-201-555-0123;phone-context=example.com\r\ni: x@y\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 0\r\nAccept: application/sdp, message/sipfrag\r\n" +
        "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\nl: 0\r\n\r\n",
        "BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\r\nMax-Forwards: 70\r\n" +
        "From: Bob\r\n <sip:bob@biloxi.example.com>\r\n ;tag=a6c85cf\r\nTo: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710\r\nCSeq: 231 BYE\r\nRoute: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\nContent-Length: 0\r\n\r\n",
        "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: q@w\r\n" +
        "CSeq: 2 REGISTER\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\"\r\nContent-Length: 0\r\n\r\n",
        "REFER sip:b@192.0.2.5 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKr\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r@w\r\n" +
        "CSeq: 9 REFER\r\nMax-Forwards: 70\r\nRefer-To: <sip:carol@example.com?Replaces=abc%40h%3Bto-tag%3D1>\r\nContact: <sip:a@192.0.2.1>\r\nContent-Length: 0\r\n\r\n",
    ];

    private static readonly string[] Hostile =
    [
        "<", ">", "\"", "\\", ";", ";;", ",", ",,", "%", "%00", "%zz", "[", "]", "::", ":", "@", "?", "&", "=", "sip:", "sips:[", "tel:",
        "\r\n", "\r\n ", "\r", "\n", "\t", " ", "\0", "\x7F", "é", "\uFFFD", "99999999999999999999", "-1", "4294967296", "65536", "0",
        "SIP/2.0", "SIP/2.0/UDP", "z9hG4bK", "<sip:a@b>", "\"\"", "\"a\\", ";tag=", ";branch", ";rport=", ";received=[::1", "INVITE", "ACK",
    ];

    private static readonly string[] HeaderNames =
    [
        "Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Contact", "m", "Route", "Record-Route", "Max-Forwards",
        "Content-Length", "l", "Content-Type", "c", "Date", "Expires", "X-Fuzz", "Require", "Accept",
    ];

    /// <summary>A damaged copy of a valid message.</summary>
    public static byte[] Mutate(Random random) => Mutate(Valid[random.Next(Valid.Length)], random);

    public static byte[] Mutate(string message, Random random)
    {
        var text = message;
        for (var rounds = random.Next(1, 4); rounds > 0; rounds--)
        {
            text = random.Next(9) switch
            {
                0 => Insert(text, random, Hostile[random.Next(Hostile.Length)]),
                1 => Delete(text, random),
                2 => ReplaceLine(text, random, $"{HeaderNames[random.Next(HeaderNames.Length)]}: {Junk(random)}"),
                3 => DuplicateLine(text, random),
                4 => Insert(text, random, Repeat(Hostile[random.Next(Hostile.Length)], random.Next(1, 3000))),
                5 => ReplaceLine(text, random, $"{HeaderNames[random.Next(HeaderNames.Length)]}: " + Repeat(random.Next(2) == 0 ? ";a=b" : ", <sip:x@y>", random.Next(1, 400))),
                6 => text.Replace("Content-Length: ", "Content-Length: " + random.Next(-5, 70_000) + " ", StringComparison.Ordinal),
                7 => text[..random.Next(text.Length + 1)],
                _ => text + Valid[random.Next(Valid.Length)],
            };
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        if (random.Next(4) == 0 && bytes.Length > 0)
        {
            for (var flips = random.Next(1, 8); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
        }
        return bytes;
    }

    /// <summary>Random bytes, or random lines of SIP-like tokens.</summary>
    public static byte[] Random(Random random)
    {
        if (random.Next(2) == 0)
        {
            var bytes = new byte[random.Next(1, 2000)];
            random.NextBytes(bytes);
            return bytes;
        }
        var text = new StringBuilder(random.Next(2) == 0 ? "INVITE sip:a@b SIP/2.0\r\n" : "SIP/2.0 200 OK\r\n");
        for (var lines = random.Next(0, 20); lines > 0; lines--)
        {
            text.Append(HeaderNames[random.Next(HeaderNames.Length)]).Append(": ").Append(Junk(random)).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(text.Append("\r\n").ToString());
    }

    private static string Junk(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(1, 12); i > 0; i--)
        {
            text.Append(Hostile[random.Next(Hostile.Length)]);
            if (random.Next(3) == 0)
            {
                text.Append("abc"[random.Next(3)]);
            }
        }
        return text.ToString();
    }

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    private static string Insert(string text, Random random, string piece) => text.Insert(random.Next(text.Length + 1), piece);

    private static string Delete(string text, Random random)
    {
        var start = random.Next(text.Length + 1);
        return text.Remove(start, random.Next(Math.Min(20, text.Length - start) + 1));
    }

    private static string ReplaceLine(string text, Random random, string line)
    {
        var lines = text.Split("\r\n");
        lines[random.Next(Math.Max(1, lines.Length - 1))] = line;
        return string.Join("\r\n", lines);
    }

    private static string DuplicateLine(string text, Random random)
    {
        var lines = text.Split("\r\n").ToList();
        var index = random.Next(lines.Count);
        lines.Insert(index, lines[index]);
        return string.Join("\r\n", lines);
    }
}
