using Contacto.Carriers;
using Contacto.Testing;
using Contacto.Tls;

namespace Contacto.Tests.Carriers.Interop;

/// <summary>
/// baresip (Debian's), a real phone, over TLS both ways: Contacto reaches it as a trunk whose
/// certificate only a private CA vouches for (Contacto checks it), and it calls Contacto's TLS
/// listener (baresip 1.0 does not check the certificate it is shown, so that direction shows TLS
/// interoperability, not baresip's trust). Audio: baresip's tone reaches the media socket
/// Contacto's side offered, so the SDP of both directions was understood.
/// </summary>
public sealed class BaresipTests
{
    [Fact]
    public async Task Baresip_takes_a_call_from_Contacto_and_places_one_to_it_over_TLS()
    {
        using var certificates = new TempDirectory();
        var authority = new LocalCertificateAuthority(certificates.Path, TimeProvider.System);
        authority.IssueServerCertificate(authority.LoadOrCreateCa(TimeSpan.FromDays(1), ["127.0.0.1"]), ["127.0.0.1"], TimeSpan.FromDays(1));
        var sipPort = PeerNode.FreePort(pair: true);
        await using var node = await PeerNode.StartAsync("phone", sipPort + 1, authority.CaCertificatePath);
        await using var phone = await Baresip.StartAsync(sipPort, PeerNode.FreePort(),
            File.ReadAllText(authority.ServerCertificatePath) + "\n" + File.ReadAllText(authority.ServerKeyPath), node.Server.CaPath);
        await node.WaitForTrunkAsync();

        // Contacto calls the phone, which answers at once and sends its tone.
        var media = new Contacto.CarrierSim.Sip.SimulatedMedia(System.Net.IPAddress.Loopback);
        await using (media)
        {
            var outcome = await node.CallAsync(new CallRequest("+351912000001", "phone", media.Offer()));
            Assert.True(outcome.Kind == CarrierOutcomeKind.Accepted, $"{outcome}\n{phone.Output}");
            await phone.NextEventAsync("CALL_ESTABLISHED", PeerNode.Patience);
            await Eventually.HoldsAsync(() => media.BytesReceived >= 8000, "a second of the phone's audio arrived");
            await outcome.Call!.HangUpAsync();
            await phone.NextEventAsync("CALL_CLOSED", PeerNode.Patience);
        }

        // The phone calls Contacto over TLS; Contacto's side answers, then hangs up.
        await phone.SendAsync("dial", $"sip:+351912000001@127.0.0.1:{node.Listeners.Tls!.Port};transport=tls");
        var answered = await node.Calls.NextAsync(PeerNode.Patience);
        await phone.NextEventAsync("CALL_ESTABLISHED", PeerNode.Patience);
        Assert.Equal(("phone", "+351912000001"), (answered.Offer.Carrier, answered.Offer.To));
        await Eventually.HoldsAsync(() => answered.Media.BytesReceived >= 8000, "a second of the phone's audio arrived");
        await answered.Call.HangUpAsync();
        await phone.NextEventAsync("CALL_CLOSED", PeerNode.Patience);
    }
}
