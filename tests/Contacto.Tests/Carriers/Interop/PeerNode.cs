using System.Net;
using System.Net.Sockets;
using Contacto.Carriers;
using Contacto.Carriers.Sip;
using Contacto.Sip.Tests.Support;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Carriers.Interop;

/// <summary>A Contacto node whose only trunk is a peer Contacto did not write (SIPp, Kamailio, baresip), answering the calls it offers with <see cref="AnsweringSink"/>.</summary>
sealed class PeerNode : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    readonly TestStorage storage;

    PeerNode(TestStorage storage, RunningServer server, AnsweringSink calls) => (this.storage, Server, Calls) = (storage, server, calls);

    public RunningServer Server { get; }

    public AnsweringSink Calls { get; }

    public CarrierRouter Router => Server.Services.GetRequiredService<CarrierRouter>();

    public SipListeners Listeners => Server.Services.GetRequiredService<SipListeners>();

    /// <summary>A node whose one trunk, named <paramref name="name"/>, is at 127.0.0.1:<paramref name="port"/>; over UDP unless a CA file says TLS.</summary>
    public static async Task<PeerNode> StartAsync(string name, int port, string? tlsCaFile = null)
    {
        var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var calls = new AnsweringSink();
        string[] trunk = tlsCaFile is null
            ? ["--Carriers:List:0:Tls", "false", "--Carriers:List:0:Sip:Transport", "udp"]
            : ["--Carriers:List:0:TlsCaFile", tlsCaFile];
        // Keep-alives a second apart: a peer is left after two seconds of silence, which a loaded test machine does not reach.
        var server = await RunningServer.StartAsync(storage,
            ["--Carriers:List:0:Name", name, "--Carriers:List:0:Protocol", "sip", "--Carriers:List:0:Host", "127.0.0.1", "--Carriers:List:0:Port", port.ToString(),
             "--Carriers:List:0:Sip:KeepAliveMilliseconds", "1000", .. trunk],
            builder => builder.Services.AddSingleton<ICarrierCallSink>(calls));
        return new PeerNode(storage, server, calls);
    }

    /// <summary>Waits until the trunk answers keep-alives.</summary>
    public async Task WaitForTrunkAsync()
    {
        using var deadline = new CancellationTokenSource(Patience);
        await Server.Services.GetRequiredService<CarrierPool>().Carriers.Single().Connection.WaitUntilReadyAsync(deadline.Token);
    }

    /// <summary>Places a call as the voice capability will: a temporary failure (no trunk up just now) is tried again after the time it says.</summary>
    public static async Task<CarrierOutcome> CallAsync(CarrierRouter router, CallRequest call)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var outcome = await router.SendAsync("PT", call, CancellationToken.None).WaitAsync(Patience);
            if (outcome.Kind != CarrierOutcomeKind.TemporaryFailure || DateTime.UtcNow > deadline)
                return outcome;
            await Task.Delay(outcome.RetryAfter);
        }
    }

    public Task<CarrierOutcome> CallAsync(CallRequest call) => CallAsync(Router, call);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        storage.Dispose();
    }

    /// <summary>A free loopback port, and the one after it when <paramref name="pair"/> (baresip's TLS port follows its SIP port).</summary>
    public static int FreePort(bool pair = false)
    {
        while (true)
        {
            var port = Sipp.FreePort(ProtocolType.Udp);
            if (!pair)
                return port;
            try
            {
                using var next = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                next.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }
}
