using System.Reflection;
using Microsoft.Extensions.Logging;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Contacto.Tests.Observability;

/// <summary>
/// Every log message of the platform, the server, the CLI, the carrier simulator and the
/// protocol libraries (SMPP, SIP, media) is a <see cref="LoggerMessageAttribute"/>
/// method with its own event id, taken from its capability's range in docs/architecture.md
/// ("Logs, metrics, traces"), so an id names one message for good.
/// </summary>
public sealed class LogEventIdTests
{
    /// <summary>The ranges of docs/architecture.md, by the folder (namespace) a message lives in.</summary>
    static readonly Dictionary<string, (int First, int Last)> Ranges = new()
    {
        ["Platform"] = (100, 199), ["Tenancy"] = (100, 199), ["Server"] = (100, 199), ["Cli"] = (100, 199),
        ["Storage"] = (200, 299),
        ["Tls"] = (300, 399),
        ["Crypto"] = (400, 499),
        ["Auth"] = (500, 599),
        ["Accounts"] = (600, 699),
        ["Api"] = (700, 799),
        ["Audit"] = (800, 899),
        ["Console"] = (900, 999),
        ["Carriers"] = (1000, 1199),
        ["Messaging"] = (2000, 2099),
        ["Voice"] = (2100, 2199),
        ["Numbers"] = (3000, 3099), ["Applications"] = (3000, 3099),
        ["Operations"] = (4000, 4099),
        ["Status"] = (5000, 5099),
        ["Observability"] = (6000, 6099),
        ["Webhooks"] = (7000, 7099),
        ["Recordings"] = (8000, 8099),
        ["CarrierSim"] = (1, 99),
        ["Smpp"] = (2400, 2499),
        ["Sip"] = (2500, 2599),
        ["Media"] = (4100, 4199),
    };

    static readonly Assembly[] Assemblies =
    [
        typeof(ContactoPlatform).Assembly, typeof(Contacto.Server.SimulatedCarriers).Assembly, typeof(Contacto.Cli.ContactoCli).Assembly,
        typeof(Contacto.CarrierSim.SmscSimulator).Assembly, typeof(Contacto.Smpp.Client.SmppBind).Assembly,
        typeof(Contacto.Sip.Transport.SipTransportLayer).Assembly, typeof(Contacto.Media.Rtp.RtcpPacket).Assembly,
    ];

    [Fact]
    public void Every_message_has_a_unique_event_id_in_its_capabilitys_range()
    {
        var messages = Assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (Name: $"{m.Method.DeclaringType!.FullName}.{m.Method.Name}", Capability: CapabilityOf(m.Method.DeclaringType!.Namespace!), m.Attribute!.EventId))
            .ToList();
        Assert.NotEmpty(messages);
        var outOfRange = messages.Where(m => !Ranges.TryGetValue(m.Capability, out var range) || m.EventId < range.First || m.EventId > range.Last)
            .Select(m => $"{m.Name}: {m.EventId} ({m.Capability})");
        Assert.Empty(outOfRange);
        var shared = messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}");
        Assert.Empty(shared);
    }

    /// <summary>The extension methods (<c>LogError(...)</c>, <c>Log(level, ...)</c>) would log without an id.</summary>
    [Fact]
    public void Nothing_logs_through_the_extension_methods()
    {
        var calls = new SortedSet<string>();
        foreach (var assembly in Assemblies)
        {
            using var module = ModuleDefinition.ReadModule(assembly.Location);
            foreach (var method in module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
                foreach (var instruction in method.Body.Instructions.Where(i => i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt))
                    if (instruction.Operand is MethodReference { DeclaringType.FullName: "Microsoft.Extensions.Logging.LoggerExtensions" } called && called.Name != "BeginScope")
                        calls.Add($"{method.DeclaringType.FullName}.{method.Name} calls {called.Name}");
        }
        Assert.Empty(calls);
    }

    static string CapabilityOf(string ns) => ns.Split('.') is [_, var folder, ..] ? folder : ns;
}
