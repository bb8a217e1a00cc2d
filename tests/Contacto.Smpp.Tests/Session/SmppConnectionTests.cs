using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Smpp.Tests.Session;

public sealed class SmppConnectionTests
{
    private static readonly SmppConnectionOptions QuietOptions = new()
    {
        EnquireLinkInterval = TimeSpan.FromHours(1),
        ResponseTimeout = TimeSpan.FromSeconds(30),
    };

    private static readonly InboundRequestHandler Refuse = (_, _, _) => ValueTask.FromResult<Pdu?>(null);

    [Fact]
    public async Task PipelinedRequestsGetTheirOwnResponses()
    {
        var (clientStream, serverStream) = await Loopback.ConnectedPairAsync();
        await using var server = Open(serverStream, QuietOptions, (_, request, _) =>
            ValueTask.FromResult<Pdu?>(((SubmitSm)request).CreateResponse("id-" + request.SequenceNumber + "-" + ((SubmitSm)request).ShortMessage[0])));
        await using var client = Open(clientStream, QuietOptions with { WindowSize = 8 }, Refuse);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var submit = new SubmitSm { ShortMessage = [(byte)i] };
            var response = (MessageIdResponsePdu)await client.SendRequestAsync(submit);
            return (i, submit.SequenceNumber, response.MessageId);
        }));

        Assert.All(responses, r => Assert.Equal($"id-{r.SequenceNumber}-{(byte)r.i}", r.MessageId));
        Assert.Equal(200, responses.Select(r => r.SequenceNumber).Distinct().Count());
    }

    [Fact]
    public async Task WindowCapsRequestsInFlight()
    {
        var (clientStream, serverStream) = await Loopback.ConnectedPairAsync();
        var gate = new TaskCompletionSource();
        var eightArrived = new TaskCompletionSource();
        int inFlight = 0, maxInFlight = 0;
        await using var server = Open(serverStream, QuietOptions, async (_, request, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            if (now == 8)
            {
                eightArrived.TrySetResult();
            }
            await gate.Task;
            Interlocked.Decrement(ref inFlight);
            return ((SubmitSm)request).CreateResponse("ok");
        });
        await using var client = Open(clientStream, QuietOptions with { WindowSize = 8 }, Refuse);

        var sends = Enumerable.Range(0, 20).Select(_ => client.SendRequestAsync(new SubmitSm())).ToArray();
        await eightArrived.Task.WaitAsync(Loopback.Patience);

        Assert.Equal(8, client.Outstanding);
        Assert.All(sends, s => Assert.False(s.IsCompleted));
        gate.SetResult();
        await Task.WhenAll(sends).WaitAsync(Loopback.Patience);
        Assert.Equal(8, maxInFlight);
    }

    [Fact]
    public async Task UnansweredRequestTimesOutOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var (clientStream, serverStream) = await Loopback.ConnectedPairAsync();
        var arrived = new TaskCompletionSource();
        await using var server = Open(serverStream, QuietOptions, async (_, _, ct) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        await using var client = Open(clientStream, QuietOptions with { ResponseTimeout = TimeSpan.FromSeconds(2) }, Refuse, time);

        var send = client.SendRequestAsync(new SubmitSm());
        await arrived.Task.WaitAsync(Loopback.Patience);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(send.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1.1));

        var error = await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => send.WaitAsync(Loopback.Patience));
        Assert.True(error.PossiblySent);
        Assert.Equal(0, client.Outstanding);
    }

    [Fact]
    public async Task SilentPeerIsDeclaredDeadWithinOneSecondByDefault()
    {
        var time = new FakeTimeProvider();
        var (clientStream, silentPeer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, new SmppConnectionOptions(), Refuse, time);
        var waiting = client.SendRequestAsync(new SubmitSm());
        Assert.Equal(CommandId.SubmitSm, PduCodec.Decode((await Loopback.ReadFrameAsync(silentPeer))!).CommandId);

        var elapsed = AdvanceInTicks(time, TimeSpan.Zero, TimeSpan.FromMilliseconds(400));
        Assert.Equal(CommandId.EnquireLink, PduCodec.Decode((await Loopback.ReadFrameAsync(silentPeer))!).CommandId);
        AdvanceInTicks(time, elapsed, TimeSpan.FromMilliseconds(950));

        Assert.Equal(ConnectionCloseReason.DeadPeer, await client.Completion.WaitAsync(Loopback.Patience));
        var closed = await Assert.ThrowsAsync<SmppConnectionClosedException>(() => waiting.WaitAsync(Loopback.Patience));
        Assert.Equal(ConnectionCloseReason.DeadPeer, closed.Reason);
    }

    [Fact]
    public async Task AnsweredKeepAliveKeepsTheLinkAndMeasuresRoundTrip()
    {
        var time = new FakeTimeProvider();
        var (clientStream, serverStream) = await Loopback.ConnectedPairAsync();
        await using var server = Open(serverStream, QuietOptions, Refuse);
        await using var client = Open(clientStream, new SmppConnectionOptions(), Refuse, time);

        time.Advance(TimeSpan.FromMilliseconds(400));
        await Loopback.WaitForAsync(() => client.LastEnquireLinkRoundTrip is not null);

        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(client.IsOpen);
        Assert.Equal(TimeSpan.Zero, client.LastEnquireLinkRoundTrip);
    }

    [Fact]
    public async Task BusyLinkIsStillProbedNowAndThen()
    {
        var time = new FakeTimeProvider();
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, new SmppConnectionOptions(), Refuse, time);

        var steps = 0;
        var probed = false;
        while (!probed && steps < 60)
        {
            // The peer talks every 100 ms and waits for the answer: the link is never idle.
            var ping = (uint)(1000 + steps);
            await peer.WriteAsync(PduCodec.Encode(new HeaderOnlyPdu(CommandId.EnquireLink) { SequenceNumber = ping }));
            Pdu frame;
            while ((frame = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!)).SequenceNumber != ping)
            {
                probed |= frame.CommandId == CommandId.EnquireLink;
            }
            time.Advance(TimeSpan.FromMilliseconds(100));
            steps++;
        }

        Assert.True(probed);
        Assert.InRange(steps, 40, 42);
    }

    [Fact]
    public async Task CancellationStopsAWaitForTheWindowButNotARequestOnTheWire()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions with { WindowSize = 1 }, Refuse);
        using var cancel = new CancellationTokenSource();
        var onTheWire = client.SendRequestAsync(new SubmitSm(), cancel.Token);
        var waiting = client.SendRequestAsync(new SubmitSm(), cancel.Token);
        var sent = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Loopback.Patience));
        Assert.False(onTheWire.IsCompleted);
        await peer.WriteAsync(PduCodec.Encode(((SubmitSm)sent).CreateResponse("taken")));
        var response = (MessageIdResponsePdu)await onTheWire.WaitAsync(Loopback.Patience);
        Assert.Equal("taken", response.MessageId);
        Assert.Equal(0, client.Outstanding);
    }

    [Fact]
    public async Task PeerEnquireLinkIsAnsweredEvenWithAFullWindow()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions with { WindowSize = 1 }, Refuse);
        _ = client.SendRequestAsync(new SubmitSm());
        _ = client.SendRequestAsync(new SubmitSm());
        Assert.Equal(CommandId.SubmitSm, PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!).CommandId);

        await peer.WriteAsync(PduCodec.Encode(new HeaderOnlyPdu(CommandId.EnquireLink) { SequenceNumber = 77 }));

        var answer = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);
        Assert.Equal(CommandId.EnquireLinkResp, answer.CommandId);
        Assert.Equal(77u, answer.SequenceNumber);
    }

    [Fact]
    public async Task UnknownCommandGetsGenericNackAndTheSessionGoesOn()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions, Refuse);

        await peer.WriteAsync(Convert.FromHexString("00000010" + "00000999" + "00000000" + "00000005"));
        var nack = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);
        await peer.WriteAsync(PduCodec.Encode(new HeaderOnlyPdu(CommandId.EnquireLink) { SequenceNumber = 6 }));
        var answer = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);

        Assert.Equal(CommandId.GenericNack, nack.CommandId);
        Assert.Equal(CommandStatus.InvalidCommandId, nack.Status);
        Assert.Equal(5u, nack.SequenceNumber);
        Assert.Equal(CommandId.EnquireLinkResp, answer.CommandId);
    }

    [Fact]
    public async Task MalformedBodyIsRefusedWithItsOwnResponseType()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        var handled = 0;
        await using var client = Open(clientStream, QuietOptions, (_, _, _) =>
        {
            Interlocked.Increment(ref handled);
            return ValueTask.FromResult<Pdu?>(null);
        });
        var frame = PduCodec.Encode(new DeliverSm { SequenceNumber = 9, ShortMessage = [1, 2, 3, 4] })[..^3];
        frame[3] = (byte)frame.Length;

        await peer.WriteAsync(frame);
        var refusal = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);

        Assert.Equal(CommandId.DeliverSmResp, refusal.CommandId);
        Assert.Equal(9u, refusal.SequenceNumber);
        Assert.NotEqual(CommandStatus.Ok, refusal.Status);
        Assert.Equal(0, handled);
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task ImpossibleLengthEndsTheSessionCleanly()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions, Refuse);
        var pending = client.SendRequestAsync(new SubmitSm());

        await peer.WriteAsync(Convert.FromHexString("7FFFFFFF0000000400000000"));

        Assert.Equal(ConnectionCloseReason.ProtocolError, await client.Completion.WaitAsync(Loopback.Patience));
        await Assert.ThrowsAsync<SmppConnectionClosedException>(() => pending.WaitAsync(Loopback.Patience));
        Assert.True(await Loopback.ClosedByPeerAsync(peer));
    }

    [Fact]
    public async Task PeerThatSendsWithoutReadingIsCutOffBeforeMemoryGrows()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions with { MaxQueuedFrames = 100 }, Refuse);
        var burst = Enumerable.Range(1, 4096)
            .SelectMany(i => PduCodec.Encode(new HeaderOnlyPdu(CommandId.EnquireLink) { SequenceNumber = (uint)i }))
            .ToArray();

        // Never read the answers; stop once the client has hung up (at most 64 MiB sent).
        for (var sent = 0; sent < 1024 && !client.Completion.IsCompleted; sent++)
        {
            try
            {
                await peer.WriteAsync(burst).AsTask().WaitAsync(Loopback.Patience);
            }
            catch (IOException)
            {
                break;
            }
        }

        Assert.Equal(ConnectionCloseReason.PeerNotReading, await client.Completion.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task PeerUnbindIsAnsweredThenTheConnectionCloses()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions, Refuse);

        await peer.WriteAsync(PduCodec.Encode(new HeaderOnlyPdu(CommandId.Unbind) { SequenceNumber = 3 }));

        var answer = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);
        Assert.Equal(CommandId.UnbindResp, answer.CommandId);
        Assert.Equal(ConnectionCloseReason.PeerUnbound, await client.Completion.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task UnbindWaitsForInFlightRequestsThenUnbinds()
    {
        var (clientStream, serverStream) = await Loopback.ConnectedPairAsync();
        var gate = new TaskCompletionSource();
        var arrived = new TaskCompletionSource();
        await using var server = Open(serverStream, QuietOptions, async (_, request, _) =>
        {
            arrived.TrySetResult();
            await gate.Task;
            return ((SubmitSm)request).CreateResponse("late");
        });
        await using var client = Open(clientStream, QuietOptions, Refuse);
        var inFlight = client.SendRequestAsync(new SubmitSm());
        await arrived.Task.WaitAsync(Loopback.Patience);

        var unbinding = client.UnbindAsync();
        await Assert.ThrowsAsync<SmppConnectionClosedException>(() => client.SendRequestAsync(new SubmitSm()));
        gate.SetResult();
        await unbinding.WaitAsync(Loopback.Patience);

        Assert.Equal("late", ((MessageIdResponsePdu)await inFlight).MessageId);
        Assert.Equal(ConnectionCloseReason.Local, await client.Completion);
        Assert.Equal(ConnectionCloseReason.PeerUnbound, await server.Completion.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task RequestsPastTheInboundLimitAreThrottledWhileResponsesAreStillRead()
    {
        // A receipt handler may wait for a submit's outcome to be recorded, and that waits for the
        // submit's response: were reading to pause at the limit, neither would ever arrive.
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = Open(clientStream, QuietOptions with { MaxInboundInFlight = 1 }, async (_, request, _) =>
        {
            await gate.Task;
            return new MessageIdResponsePdu(CommandId.DeliverSmResp);
        });
        var submitting = client.SendRequestAsync(new SubmitSm());
        var submit = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);

        await peer.WriteAsync(PduCodec.Encode(new DeliverSm { SequenceNumber = 10 }));
        await peer.WriteAsync(PduCodec.Encode(new DeliverSm { SequenceNumber = 11 }));
        var throttled = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);
        await peer.WriteAsync(PduCodec.Encode(new MessageIdResponsePdu(CommandId.SubmitSmResp) { SequenceNumber = submit.SequenceNumber, MessageId = "taken" }));
        var submitted = (MessageIdResponsePdu)await submitting.WaitAsync(Loopback.Patience);
        gate.SetResult();
        var handled = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);

        Assert.Equal((CommandId.DeliverSmResp, 11u, CommandStatus.Throttled), (throttled.CommandId, throttled.SequenceNumber, throttled.Status));
        Assert.Equal("taken", submitted.MessageId);
        Assert.Equal((CommandId.DeliverSmResp, 10u, CommandStatus.Ok), (handled.CommandId, handled.SequenceNumber, handled.Status));
    }

    [Fact]
    public async Task HandlerFailureAsksThePeerToRetry()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions, (_, _, _) => throw new InvalidOperationException("store down"));

        await peer.WriteAsync(PduCodec.Encode(new DeliverSm { SequenceNumber = 4 }));

        var answer = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);
        Assert.Equal(CommandId.DeliverSmResp, answer.CommandId);
        Assert.Equal(CommandStatus.TemporaryAppError, answer.Status);
    }

    [Fact]
    public async Task HandlerThatGivesUpIsAnsweredAndTheSessionGoesOn()
    {
        var (clientStream, peer) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions, (_, _, _) => throw new OperationCanceledException());

        await peer.WriteAsync(PduCodec.Encode(new DeliverSm { SequenceNumber = 4 }));
        var answer = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);
        await peer.WriteAsync(PduCodec.Encode(new HeaderOnlyPdu(CommandId.EnquireLink) { SequenceNumber = 5 }));
        var keepAlive = PduCodec.Decode((await Loopback.ReadFrameAsync(peer))!);

        Assert.Equal(CommandStatus.TemporaryAppError, answer.Status);
        Assert.Equal(CommandId.EnquireLinkResp, keepAlive.CommandId);
    }

    [Fact]
    public async Task InvalidRequestFieldsFailBeforeAnythingIsSent()
    {
        var (clientStream, _) = await Loopback.ConnectedPairAsync();
        await using var client = Open(clientStream, QuietOptions, Refuse);

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendRequestAsync(new SubmitSm { ServiceType = "too-long" }));

        Assert.Equal(0, client.Outstanding);
    }

    private static SmppConnection Open(Stream stream, SmppConnectionOptions options, InboundRequestHandler handler, TimeProvider? time = null)
    {
        var connection = new SmppConnection(stream, options, handler, time);
        connection.Start();
        return connection;
    }

    /// <summary>Moves the fake clock from one point to another in 50 ms steps, as the ticker would see it.</summary>
    private static TimeSpan AdvanceInTicks(FakeTimeProvider time, TimeSpan from, TimeSpan to)
    {
        for (; from < to; from += TimeSpan.FromMilliseconds(50))
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
        }
        return from;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
