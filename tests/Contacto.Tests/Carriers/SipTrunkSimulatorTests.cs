using System.Net;
using Contacto.CarrierSim.Sip;
using Contacto.Sip.Transport;

namespace Contacto.Tests.Carriers;

/// <summary>The simulated trunk's media, the part of the simulator the trunk tests do not exercise: tone, DTMF and recording over real RTP sockets.</summary>
public sealed class SipTrunkSimulatorTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_answered_call_plays_a_tone_and_digits_that_the_caller_records_once_each()
    {
        await using var callee = new SipTrunkSimulator(new SipTrunkSimulatorOptions
        {
            TcpPort = null, PlayFor = TimeSpan.FromMilliseconds(400), SendDigits = "15#", HangUpAfter = TimeSpan.FromSeconds(5),
        });
        await using var caller = new SipTrunkSimulator(new SipTrunkSimulatorOptions { TcpPort = null });
        callee.Start();
        caller.Start();

        var placed = await caller.CallAsync("+351913000009", "+351912000001",
            new SipTarget(SipTransports.Udp, new IPEndPoint(IPAddress.Loopback, callee.Port(SipTransports.Udp)))).WaitAsync(Patience);

        Assert.Equal(200, placed.Status);
        var media = placed.Media!;
        await Eventually.HoldsAsync(() => media.DigitsReceived == "15#", "the three digits arrived");
        // 400 ms of G.711 at 8 kHz: 20 packets of 160 bytes, every one recorded.
        Assert.Equal(3200, media.BytesReceived);
        Assert.Equal(3200, media.Recorded.Length);
        Assert.Equal(0, media.PayloadType);
        await placed.Dialog!.ByeAsync();
        await Eventually.HoldsAsync(() => callee.ActiveCalls == 0 && callee.Statistics.EndedByCaller == 1, "the callee saw the BYE");
    }
}
