using System.CommandLine;
using System.Globalization;
using System.Net;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Receipts;
using Contacto.Smpp.Text;

namespace Contacto.CarrierSim;

/// <summary>
/// The standalone simulator: knobs from the command line, then commands on standard input
/// (mo FROM TO TEXT, silent on|off, stats, quit) until quit, end of input or Ctrl+C. The
/// <c>sip</c> command runs a simulated SIP trunk instead (<see cref="Sip.SipSimulatorCommand"/>).
/// </summary>
internal static class SimulatorCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var address = new Option<string>("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free one)", DefaultValueFactory = _ => 2775 };
        var credentials = new Option<string[]>("--credential")
        {
            Description = "system_id=password accepted for binds; repeat for more. None: accept any",
            AllowMultipleArgumentsPerToken = true,
        };
        var latency = new Option<int>("--latency-ms") { Description = "Delay before each submit_sm_resp" };
        var maxTps = new Option<double>("--max-tps") { Description = "Submits per second before ESME_RTHROTTLED (0: no cap)" };
        var rejectRate = new Option<double>("--reject-rate") { Description = "Share of submits refused, 0 to 1" };
        var dropAfter = new Option<int>("--drop-after") { Description = "Drop each connection at its Nth request (0: never)" };
        var silent = new Option<bool>("--silent") { Description = "Answer nothing, keep connections open" };
        var receiptDelay = new Option<int>("--receipt-delay-ms") { Description = "Delay from submit to receipt" };
        var receiptMix = new Option<string>("--receipt-mix")
        {
            Description = "Receipt outcomes by weight, e.g. DELIVRD=90,UNDELIV=8,EXPIRED=2",
            DefaultValueFactory = _ => "DELIVRD=1",
        };
        var seed = new Option<int?>("--seed") { Description = "Seed for repeatable rejections and outcomes" };
        var moConcatenation = new Option<ConcatenationMode>("--mo-concatenation")
        {
            Description = "How mo splits a long text (SMPP concatenation)",
            DefaultValueFactory = _ => ConcatenationMode.Udh8BitReference,
        };
        var command = new RootCommand("Contacto carrier simulator: an SMSC (SMPP 3.4), or with sip a SIP trunk")
        {
            address, port, credentials, latency, maxTps, rejectRate, dropAfter, silent, receiptDelay, receiptMix, seed, moConcatenation,
            Sip.SipSimulatorCommand.Create(),
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new SmscSimulatorOptions
            {
                Address = IPAddress.Parse(parse.GetValue(address)!),
                Port = parse.GetValue(port),
                Credentials = ParseCredentials(parse.GetValue(credentials) ?? []),
                Latency = TimeSpan.FromMilliseconds(parse.GetValue(latency)),
                MaxSubmitsPerSecond = parse.GetValue(maxTps),
                RejectRate = parse.GetValue(rejectRate),
                DropAfterRequests = parse.GetValue(dropAfter),
                Silent = parse.GetValue(silent),
                ReceiptDelay = TimeSpan.FromMilliseconds(parse.GetValue(receiptDelay)),
                ReceiptOutcomes = ParseMix(parse.GetValue(receiptMix)!),
                Seed = parse.GetValue(seed),
            };
            await using var simulator = new SmscSimulator(options);
            simulator.Start();
            Console.WriteLine($"listening on {options.Address}:{simulator.Port}");
            await ReadCommandsAsync(simulator, new TextProfile { Concatenation = parse.GetValue(moConcatenation) }, cancellationToken);
            Console.WriteLine(simulator.Statistics);
            return 0;
        });
        return await command.Parse(args).InvokeAsync();
    }

    private static Task ReadCommandsAsync(SmscSimulator simulator, TextProfile moProfile, CancellationToken cancellationToken) =>
        ConsoleCommands.RunAsync(async line =>
        {
            switch (line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries))
            {
                case ["stats"]:
                    Console.WriteLine(simulator.Statistics);
                    break;
                case ["silent", var state]:
                    simulator.Options = simulator.Options with { Silent = state == "on" };
                    Console.WriteLine($"silent {(simulator.Options.Silent ? "on" : "off")}");
                    break;
                case ["mo", var from, var to, var text]:
                    await InjectAsync(simulator, from, to, text, moProfile, cancellationToken);
                    break;
                default:
                    Console.WriteLine("commands: mo FROM TO TEXT | silent on|off | stats | quit");
                    break;
            }
        }, cancellationToken);

    private static async Task InjectAsync(SmscSimulator simulator, string from, string to, string text, TextProfile profile, CancellationToken cancellationToken)
    {
        try
        {
            var status = await simulator.InjectMobileOriginatedAsync(
                SmeAddress.International(from), SmeAddress.International(to), text, profile: profile, cancellationToken: cancellationToken);
            Console.WriteLine($"mo delivered: {status}");
        }
        catch (Exception e) when (e is Contacto.Smpp.SmppException)
        {
            Console.WriteLine($"mo not delivered: {e.Message}");
        }
    }

    internal static Dictionary<string, string> ParseCredentials(IEnumerable<string> pairs) =>
        pairs.Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);

    internal static List<ReceiptOutcome> ParseMix(string mix) =>
        [.. mix.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Select(p => new ReceiptOutcome(
                ReceiptStates.FromStat(p[0]),
                p.Length == 2 ? double.Parse(p[1], CultureInfo.InvariantCulture) : 1))];
}
