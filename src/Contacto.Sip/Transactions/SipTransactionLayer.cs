using System.Collections.Concurrent;
using System.Globalization;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Contacto.Sip.Transactions;

/// <summary>
/// The transaction layer (RFC 3261 17) over one transport layer: starts client transactions,
/// matches responses to them (17.1.3) and requests to server transactions (17.2.3, with the
/// RFC 2543 rules for branches without the magic cookie), and hands the transaction user what no
/// transaction takes: new requests, the ACK for a 2xx, and 2xx responses that come after their
/// INVITE transaction ended.
/// </summary>
public sealed class SipTransactionLayer
{
    private readonly ConcurrentDictionary<string, SipClientTransaction> _clients = new();
    private readonly ConcurrentDictionary<string, SipServerTransaction> _servers = new();

    public SipTransactionLayer(SipTransportLayer transport, SipTimers? timers = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(new TransportSender(transport), timers, timeProvider ?? transport.Time, logger)
    {
        transport.MessageReceived = Receive;
    }

    internal SipTransactionLayer(ISipSender sender, SipTimers? timers, TimeProvider? timeProvider, ILogger? logger)
    {
        Sender = sender;
        Timers = timers ?? SipTimers.Default;
        Time = timeProvider ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A new request: its server transaction, to answer through. Must not block.</summary>
    public Action<SipServerTransaction>? RequestReceived { get; set; }

    /// <summary>An ACK that matches no server transaction: the ACK for a 2xx, which belongs to the dialog.</summary>
    public Action<SipRequest, SipFlow>? AckReceived { get; set; }

    /// <summary>A response that matches no client transaction, such as a retransmitted 2xx to an INVITE.</summary>
    public Action<SipResponse, SipFlow>? UnmatchedResponse { get; set; }

    public SipTimers Timers { get; }

    /// <summary>Client and server transactions alive.</summary>
    public int Count => _clients.Count + _servers.Count;

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal ISipSender Sender { get; }

    /// <summary>
    /// Starts a client transaction. A request without a Via gets one with a new branch; a request
    /// with one (a CANCEL, which reuses its INVITE's branch) keeps it.
    /// </summary>
    public SipClientTransaction Send(SipRequest request, SipTarget target, Action<SipResponse>? onProvisional = null)
    {
        if (request.Method == SipMethods.Ack)
        {
            throw new ArgumentException("An ACK is not a transaction: send it with the transport.", nameof(request));
        }
        if (!request.Headers.Contains(HeaderNames.Via))
        {
            request.Headers.AddFirst(HeaderNames.Via, Sender.CreateVia(target.Transport, SipIds.NewBranch()).ToString());
        }
        var key = ClientKey(request.TopVia!.Branch!, request.Method);
        var transaction = new SipClientTransaction(this, request, target, key, onProvisional);
        if (!_clients.TryAdd(key, transaction))
        {
            throw new InvalidOperationException("A transaction with this branch and method is running.");
        }
        transaction.Start();
        return transaction;
    }

    /// <summary>The INVITE server transaction a CANCEL is for (RFC 3261 9.2), if it is still there.</summary>
    public SipServerTransaction? FindInvite(SipRequest cancel) =>
        _servers.TryGetValue(ServerKey(cancel, SipMethods.Invite), out var invite) ? invite : null;

    internal Task SendResponseAsync(SipResponse response, SipFlow flow) => SendQuietlyAsync(() => Sender.SendResponseAsync(response, flow, CancellationToken.None));

    internal void Remove(SipClientTransaction transaction) => _clients.TryRemove(new(transaction.Key, transaction));

    internal void Remove(SipServerTransaction transaction) => _servers.TryRemove(new(transaction.Key, transaction));

    internal void Receive(SipReceived received)
    {
        if (received.Message is SipResponse response)
        {
            ReceiveResponse(response, received.Flow);
            return;
        }
        var request = (SipRequest)received.Message;
        if (!request.Headers.Contains(HeaderNames.Via))
        {
            // Nowhere to answer, and no transaction to match: RFC 3261 8.1.1 makes Via mandatory.
            return;
        }
        if (Required.FirstOrDefault(name => !request.Headers.Contains(name)) is { } missing)
        {
            // No transaction can be keyed without these (RFC 4475 3.3.1): answered statelessly.
            if (request.Method != SipMethods.Ack)
            {
                _ = SendResponseAsync(SipResponse.CreateFor(request, 400, $"Bad Request (missing {missing})", SipIds.NewTag()), received.Flow);
            }
            return;
        }
        if (request.Method == SipMethods.Ack)
        {
            if (_servers.TryGetValue(ServerKey(request, SipMethods.Invite), out var invite) && invite.State != SipTransactionState.Terminated
                && invite.LastResponse is { IsSuccess: false })
            {
                invite.OnAck();
            }
            else
            {
                AckReceived?.Invoke(request, received.Flow);
            }
            return;
        }
        var key = ServerKey(request, request.Method);
        var transaction = new SipServerTransaction(this, request, received.Flow, key);
        var existing = _servers.GetOrAdd(key, transaction);
        if (existing != transaction)
        {
            existing.OnRetransmission();
            return;
        }
        transaction.Start();
        if (RequestReceived is { } handler)
        {
            handler(transaction);
        }
        else
        {
            transaction.Respond(SipResponse.CreateFor(request, 501, toTag: SipIds.NewTag()));
        }
    }

    private void ReceiveResponse(SipResponse response, SipFlow flow)
    {
        // RFC 3261 8.1.3.3: a response with more than one Via is not for this UAC.
        var vias = response.Headers.GetValues(HeaderNames.Via);
        if (vias.Count != 1 || SipVia.Parse(vias[0]).Branch is not { } branch || !response.Headers.Contains(HeaderNames.CSeq))
        {
            return;
        }
        if (_clients.TryGetValue(ClientKey(branch, response.CSeq.Method), out var transaction))
        {
            transaction.OnResponse(response);
        }
        else
        {
            UnmatchedResponse?.Invoke(response, flow);
        }
    }

    private static readonly string[] Required = [HeaderNames.CSeq, HeaderNames.CallId, HeaderNames.From, HeaderNames.To];

    private static string ClientKey(string branch, string method) => $"{branch}\n{(method == SipMethods.Ack ? SipMethods.Invite : method)}";

    /// <summary>
    /// RFC 3261 17.2.3: branch, sent-by and method (ACK counting as INVITE) for a magic-cookie
    /// branch; else the RFC 2543 identity: Call-ID, From tag, CSeq number and top Via.
    /// </summary>
    private static string ServerKey(SipRequest request, string method)
    {
        var via = request.TopVia!;
        var sentBy = via.Host + ":" + (via.Port?.ToString(CultureInfo.InvariantCulture) ?? "");
        if (via.HasRfc3261Branch)
        {
            return $"{via.Branch}\n{sentBy}\n{method}";
        }
        return $"2543\n{request.CallId}\n{request.From.Tag}\n{request.CSeq.Number}\n{sentBy}\n{via.Branch}\n{method}";
    }

    private async Task SendQuietlyAsync(Func<Task> send)
    {
        try
        {
            await send().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransportException or IOException or ObjectDisposedException)
        {
            SipLog.ResponseNotSent(Logger, "peer", e.Message);
        }
    }
}
