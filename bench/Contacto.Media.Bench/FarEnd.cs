using System.Net;
using Contacto.Media.Audio;
using Contacto.Media.Engine;
using Contacto.Media.Sdp;

/// <summary>
/// The phones at the far end of the calls, in a process of their own so the measured process's
/// CPU time is Contacto's alone. Driven by lines on standard input, answering on standard output:
/// <code>
///   offer N          creates N phones, prints "offer I BASE64-SDP" for each, then "offered"
///   answer I BASE64  applies Contacto's answer; phone I starts talking (a 440 Hz tone, looped)
///   digits           phone I sends the digit KEYS[I % 12] as RFC 4733 events; prints "sent" when all have gone
///   stop             every phone stops sending; a second later prints "stats SENT RECEIVED DROPPED LOST"
/// </code>
/// </summary>
internal static class FarEnd
{
    public const string Keys = "0123456789*#";

    public static async Task RunAsync(PacingPriority priority)
    {
        var output = Console.Out;
        await using var engine = Bench.Engine(24576, 32767, priority);
        var tone = new PcmAudio(Enumerable.Range(0, 8000).Select(i => (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 8000))).ToArray());
        var phones = new List<(MediaSession Session, SdpNegotiator Negotiator)>();
        var media = new Dictionary<int, NegotiatedMedia>();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "offer":
                    foreach (var session in phones.Select(p => p.Session))
                    {
                        await session.DisposeAsync();
                    }
                    phones.Clear();
                    media.Clear();
                    for (var i = 0; i < int.Parse(parts[1]); i++)
                    {
                        var session = engine.CreateSession();
                        var negotiator = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, session.RtpPort);
                        phones.Add((session, negotiator));
                        await output.WriteLineAsync($"offer {i} {Convert.ToBase64String(negotiator.CreateOffer().ToBytes())}");
                    }
                    await output.WriteLineAsync("offered");
                    break;
                case "answer":
                    var index = int.Parse(parts[1]);
                    var (phone, offerer) = phones[index];
                    var negotiated = offerer.AcceptAnswer(SessionDescription.Parse(Convert.FromBase64String(parts[2])));
                    media[index] = negotiated;
                    phone.Apply(negotiated);
                    _ = phone.PlayAsync(new PcmAudioSource(tone, loops: 0));
                    break;
                case "digits":
                    await Task.WhenAll(phones.Select((p, i) => p.Session.SendDigitsAsync(Keys[i % Keys.Length].ToString())));
                    await output.WriteLineAsync("sent");
                    break;
                case "stop":
                    foreach (var (i, applied) in media)
                    {
                        phones[i].Session.Apply(applied with { Direction = MediaDirection.Inactive });
                    }
                    await Task.Delay(1000);
                    var qualities = phones.Select(p => p.Session.Quality).ToList();
                    await output.WriteLineAsync(
                        $"stats {qualities.Sum(q => q.PacketsSent)} {qualities.Sum(q => q.PacketsReceived)} {qualities.Sum(q => q.DroppedPackets)} {qualities.Sum(q => q.PacketsLost)}");
                    break;
            }
        }
        foreach (var session in phones.Select(p => p.Session))
        {
            await session.DisposeAsync();
        }
    }
}
