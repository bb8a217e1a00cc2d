using System.CommandLine;
using System.Globalization;
using System.Net;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Transport;

namespace Contacto.CarrierSim.Sip;

/// <summary>
/// <c>sip</c>: the simulated SIP trunk standalone. Knobs from the command line, then commands on
/// standard input (call, silent, reject, answer, hangup, stats, quit) until quit, end of input or Ctrl+C.
/// </summary>
internal static class SipSimulatorCommand
{
    private const string Help = "commands: call FROM TO HOST:PORT [udp|tcp|tls] | silent on|off | reject CODE | answer | hangup | stats | quit";

    public static Command Create()
    {
        var address = new Option<string>("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "UDP and TCP port (0: any free one)", DefaultValueFactory = _ => 5070 };
        var user = new Option<string?>("--user") { Description = "Challenge INVITEs (digest) and accept this user name (with --password)" };
        var password = new Option<string?>("--password") { Description = "The password of --user" };
        var md5 = new Option<bool>("--md5") { Description = "Challenge with MD5 rather than SHA-256" };
        var reject = new Option<int?>("--reject") { Description = "Refuse every call with this status (486, 603, 404, 503, ...)" };
        var retryAfter = new Option<int?>("--retry-after") { Description = "Retry-After seconds on a 503" };
        var ringMs = new Option<int>("--ring-ms") { Description = "Ring this long before the final answer" };
        var earlyMedia = new Option<bool>("--early-media") { Description = "183 with SDP (and the tone) instead of 180" };
        var neverAnswer = new Option<bool>("--never-answer") { Description = "Ring until the caller gives up" };
        var hangUpMs = new Option<int?>("--hang-up-after-ms") { Description = "Hang up this long after answering" };
        var playMs = new Option<int>("--play-ms") { Description = "Play a 440 Hz tone this long once answered" };
        var digits = new Option<string>("--digits") { Description = "DTMF digits (RFC 4733) sent once answered", DefaultValueFactory = _ => "" };
        var silent = new Option<bool>("--silent") { Description = "Answer nothing at all (OPTIONS included)" };
        var command = new Command("sip", "Simulated SIP trunk (UDP and TCP)")
        {
            address, port, user, password, md5, reject, retryAfter, ringMs, earlyMedia, neverAnswer, hangUpMs, playMs, digits, silent,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(user);
            var options = new SipTrunkSimulatorOptions
            {
                Address = IPAddress.Parse(parse.GetValue(address)!),
                UdpPort = parse.GetValue(port),
                TcpPort = parse.GetValue(port),
                Credentials = name is null ? null : new SipCredentials(name, parse.GetValue(password) ?? ""),
                DigestAlgorithm = parse.GetValue(md5) ? "MD5" : "SHA-256",
                RejectStatus = parse.GetValue(reject),
                RetryAfterSeconds = parse.GetValue(retryAfter),
                RingFor = TimeSpan.FromMilliseconds(parse.GetValue(ringMs)),
                EarlyMedia = parse.GetValue(earlyMedia),
                NeverAnswer = parse.GetValue(neverAnswer),
                HangUpAfter = parse.GetValue(hangUpMs) is { } after ? TimeSpan.FromMilliseconds(after) : null,
                PlayFor = TimeSpan.FromMilliseconds(parse.GetValue(playMs)),
                SendDigits = parse.GetValue(digits)!,
                Silent = parse.GetValue(silent),
            };
            await using var simulator = new SipTrunkSimulator(options);
            simulator.Start();
            Console.WriteLine($"listening on {options.Address} UDP {simulator.Port(SipTransports.Udp)} TCP {simulator.Port(SipTransports.Tcp)}");
            await ReadCommandsAsync(simulator, cancellationToken);
            Console.WriteLine(simulator.Statistics);
            return 0;
        });
        return command;
    }

    private static Task ReadCommandsAsync(SipTrunkSimulator simulator, CancellationToken cancellationToken) =>
        ConsoleCommands.RunAsync(async line =>
        {
            switch (line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                case ["stats"]:
                    Console.WriteLine(simulator.Statistics);
                    break;
                case ["silent", var state]:
                    simulator.Options = simulator.Options with { Silent = state == "on" };
                    Console.WriteLine($"silent {(simulator.Options.Silent ? "on" : "off")}");
                    break;
                case ["reject", var code] when int.TryParse(code, CultureInfo.InvariantCulture, out var status) && status is >= 300 and <= 699:
                    simulator.Options = simulator.Options with { RejectStatus = status };
                    Console.WriteLine($"rejecting calls with {status}");
                    break;
                case ["answer"]:
                    simulator.Options = simulator.Options with { RejectStatus = null, NeverAnswer = false };
                    Console.WriteLine("answering calls");
                    break;
                case ["hangup"]:
                    await simulator.HangUpAllAsync();
                    Console.WriteLine("hung up");
                    break;
                case ["call", var from, var to, var where, .. var rest] when IPEndPoint.TryParse(where, out var endPoint):
                    var transport = SipTransports.Normalize(rest.FirstOrDefault()) ?? SipTransports.Udp;
                    var placed = await simulator.CallAsync(from, to, new SipTarget(transport, endPoint), cancellationToken: cancellationToken);
                    Console.WriteLine($"call answered {placed.Status}");
                    break;
                default:
                    Console.WriteLine(Help);
                    break;
            }
        }, cancellationToken);
}
