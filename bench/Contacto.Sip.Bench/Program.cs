using System.Diagnostics;
using System.Globalization;
using System.Text;
using Contacto.Sip.Fuzzing;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

// dotnet run -c Release --project bench/Contacto.Sip.Bench -- fuzz [parser messages] [live messages]
// Fails if the parser lets anything but a result out, a handler above the transport throws, or the endpoint stops answering.
var mode = args.Length > 0 ? args[0] : "fuzz";
if (mode != "fuzz")
{
    Console.Error.WriteLine("usage: fuzz [parser messages, 1000000] [live messages, 1000000]");
    return 2;
}
var parserCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var liveCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;

Console.WriteLine($"Parser: {parserCount:N0} messages (three mutated for each random one)");
var random = new Random(1);
var parsed = 0;
var bytes = 0L;
var worstRatio = 0.0;
var clock = Stopwatch.StartNew();
var parseTime = TimeSpan.Zero;
for (var i = 0; i < parserCount; i++)
{
    var input = i % 4 == 3 ? SipFuzz.Random(random) : SipFuzz.Mutate(random);
    bytes += input.Length;
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var started = Stopwatch.GetTimestamp();
    var result = SipMessageParser.Parse(input);
    parseTime += Stopwatch.GetElapsedTime(started);
    var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    worstRatio = Math.Max(worstRatio, (allocated - 16_384) / (double)input.Length);
    if (result.Message is { } message)
    {
        parsed++;
        // What was accepted must be usable and written again.
        _ = message.Vias;
        _ = message.Contacts;
        if (!SipMessageParser.Parse(message.ToBytes()).IsMessage)
        {
            Console.WriteLine($"FAILED: message {i} parsed but its written form did not");
            return 1;
        }
    }
    if ((i + 1) % (parserCount / 4) == 0)
    {
        Console.WriteLine($"  {i + 1,10:N0}  heap {GC.GetTotalMemory(false) / 1024 / 1024,4} MiB");
    }
}
Console.WriteLine($"  parsed {parsed:N0}, refused {parserCount - parsed:N0}, no exception, {clock.Elapsed.TotalSeconds:F1} s in all");
Console.WriteLine($"  parse alone: {parserCount / parseTime.TotalSeconds:N0} msg/s, {bytes / parseTime.TotalSeconds / 1024 / 1024:F1} MiB/s");
Console.WriteLine($"  worst allocation: 16 KiB + {worstRatio:F1} x the input");

var valid = SipFuzz.Valid.Select(Encoding.UTF8.GetBytes).ToArray();
clock.Restart();
for (var i = 0; i < 200_000; i++)
{
    SipMessageParser.Parse(valid[i % valid.Length]);
}
Console.WriteLine($"  well-formed messages: {200_000 / clock.Elapsed.TotalSeconds:N0} msg/s");

Console.WriteLine($"Live endpoint: {liveCount:N0} messages, half by UDP datagram, half as TCP frames (20 a connection)");
await using var endpoint = SipLiveFuzz.Start();
clock.Restart();
var quarter = liveCount / 8;
long? settledHeap = null;
for (var round = 0; round < 4; round++)
{
    await endpoint.SendDatagramsAsync(quarter, random);
    await endpoint.SendStreamsAsync(quarter / 20, 20, random);
    var deadline = DateTime.UtcNow.AddSeconds(30);
    while ((endpoint.Agent.Transactions.Count > 0 || endpoint.Agent.DialogCount > 0 || endpoint.Connections > 0) && DateTime.UtcNow < deadline)
    {
        await Task.Delay(50);
    }
    var heap = GC.GetTotalMemory(forceFullCollection: true);
    settledHeap ??= heap;
    Console.WriteLine($"  round {round + 1}: received {endpoint.Counters.Received:N0}, refused {endpoint.Counters.Refused:N0}, handler failures {endpoint.Counters.HandlerFailures}, " +
                      $"left: {endpoint.Agent.Transactions.Count} transactions, {endpoint.Agent.DialogCount} dialogs, {endpoint.Connections} connections; " +
                      $"heap {heap / 1024 / 1024} MiB ({(heap - settledHeap.Value) / 1024:+#,0;-#,0;0} KiB since round 1)");
}
var udp = await endpoint.AnswersOptionsAsync(SipTransports.Udp);
var tcp = await endpoint.AnswersOptionsAsync(SipTransports.Tcp);
Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s; still answering OPTIONS: UDP {udp}, TCP {tcp}");
return udp && tcp && endpoint.Counters.HandlerFailures == 0 ? 0 : 1;
