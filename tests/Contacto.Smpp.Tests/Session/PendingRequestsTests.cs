using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;

namespace Contacto.Smpp.Tests.Session;

public sealed class PendingRequestsTests
{
    [Fact]
    public async Task OverlappingExpiryTicksFailEveryDueRequestOnceAndFreeItsSlot()
    {
        const int requests = 20_000;
        using var window = new SemaphoreSlim(0, requests);
        var pending = new PendingRequests(window);
        var waiting = Enumerable.Range(1, requests)
            .Select(i => pending.Add((uint)i, CommandId.SubmitSmResp, deadline: i, holdsWindowSlot: true))
            .ToList();

        // Timer ticks overlap when the machine is busy: expire from many threads at once.
        Parallel.For(0, requests, now => pending.ExpireDue(now + 1));

        Assert.Equal(0, pending.Count);
        Assert.Equal(requests, window.CurrentCount);
        foreach (var task in waiting)
            await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => task);
    }
}
