using System.Net;
using System.Net.Sockets;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Tests.Support;

namespace Contacto.Smpp.Tests.Fuzz;

/// <summary>
/// Garbage on live connections, both ways: the simulator and the client survive, free the
/// connection, and serve the next well-behaved peer.
/// </summary>
public sealed class LiveSessionFuzzTests
{
    private const int Connections = 60;
    private const int FramesPerConnection = 40;

    [Fact]
    public async Task SimulatorSurvivesGarbageAndServesTheNextClient()
    {
        await using var simulator = Sim.Start();
        var random = new Random(99);
        var bind = PduCodec.Encode(new BindPdu(BindMode.Transceiver) { SystemId = Sim.SystemId, Password = Sim.Password, SequenceNumber = 1 });

        for (var c = 0; c < Connections; c++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, simulator.Port);
            var stream = client.GetStream();
            if (random.Next(2) == 0)
            {
                await stream.WriteAsync(bind);
            }
            for (var f = 0; f < FramesPerConnection; f++)
            {
                var frame = random.Next(3) == 0
                    ? PduSamples.RandomBytes(random, random.Next(1, 200))
                    : PduSamples.Mutate(PduSamples.Valid[random.Next(PduSamples.Valid.Length)], random);
                if (!await TryWriteAsync(stream, frame))
                {
                    break;
                }
            }
        }

        await using var wellBehaved = new SmppBind(Sim.BindTo(simulator));
        wellBehaved.Start();
        await wellBehaved.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);
        Assert.True((await wellBehaved.SubmitAsync(new SubmitSm())).IsAccepted);
    }

    [Fact]
    public async Task ClientSurvivesAHostileSmscAndBindsAgain()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var bind = new SmppBind(
            new SmppBindOptions
            {
                Name = "fuzzed", Host = "127.0.0.1", Port = port, SystemId = Sim.SystemId, Password = Sim.Password,
                ReconnectMinDelay = TimeSpan.FromMilliseconds(10), ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
            },
            (_, _) => ValueTask.CompletedTask);
        bind.Start();
        var random = new Random(5);

        for (var c = 0; c < Connections / 2; c++)
        {
            using var peer = await listener.AcceptTcpClientAsync().WaitAsync(Loopback.Patience);
            var stream = peer.GetStream();
            await AcceptBindAsync(stream);
            for (var f = 0; f < FramesPerConnection; f++)
            {
                if (!await TryWriteAsync(stream, PduSamples.Mutate(PduSamples.Valid[random.Next(PduSamples.Valid.Length)], random)))
                {
                    break;
                }
            }
        }

        using var last = await listener.AcceptTcpClientAsync().WaitAsync(Loopback.Patience);
        await AcceptBindAsync(last.GetStream());
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);
        Assert.True(bind.Health.IsUp);
    }

    private static async Task AcceptBindAsync(NetworkStream stream)
    {
        var request = PduCodec.Decode((await Loopback.ReadFrameAsync(stream))!);
        var response = new BindResponsePdu(request.CommandId.ResponseFor()) { SequenceNumber = request.SequenceNumber, SystemId = "hostile" };
        await stream.WriteAsync(PduCodec.Encode(response));
    }

    private static async Task<bool> TryWriteAsync(NetworkStream stream, byte[] bytes)
    {
        try
        {
            await stream.WriteAsync(bytes);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
