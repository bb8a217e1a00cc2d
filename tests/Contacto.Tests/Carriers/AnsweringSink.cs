using System.Net;
using System.Threading.Channels;
using Contacto.Carriers;
using Contacto.CarrierSim.Sip;

namespace Contacto.Tests.Carriers;

/// <summary>A call a trunk offered, as <see cref="AnsweringSink"/> answered it: what the caller sends is recorded by its media.</summary>
sealed record AnsweredCall(InboundCall Offer, ICarrierCall Call, SimulatedMedia Media);

/// <summary>
/// A stand-in for the voice capability: rings and answers every call a trunk offers with the SDP of
/// a media socket of its own, and hands the answered calls to the test in order.
/// </summary>
sealed class AnsweringSink : ICarrierCallSink
{
    readonly Channel<AnsweredCall> answered = Channel.CreateUnbounded<AnsweredCall>();
    int count;

    public int Count => Volatile.Read(ref count);

    public Task OfferAsync(InboundCall call, CancellationToken cancellationToken)
    {
        var media = new SimulatedMedia(IPAddress.Loopback);
        call.Ring();
        var established = call.Accept(media.Answer(call.Offer));
        _ = established.Ended.ContinueWith(_ => media.DisposeAsync().AsTask(), TaskScheduler.Default);
        Interlocked.Increment(ref count);
        answered.Writer.TryWrite(new AnsweredCall(call, established, media));
        return Task.CompletedTask;
    }

    /// <summary>The next answered call, in the order they came.</summary>
    public async Task<AnsweredCall> NextAsync(TimeSpan within) => await answered.Reader.ReadAsync().AsTask().WaitAsync(within);
}
