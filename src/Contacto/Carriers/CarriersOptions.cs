using System.Text.Json;
using System.Text.Json.Nodes;
using Contacto.Carriers.Sip;
using Contacto.Carriers.Smpp;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers;

/// <summary>
/// Section <c>Carriers</c>: the carriers traffic leaves through, whatever their protocol. With no
/// carrier listed the host's embedded simulated carriers serve every country
/// (<see cref="Simulated"/> overrides either way).
/// </summary>
internal sealed class CarriersOptions
{
    public const string Section = "Carriers";

    public List<CarrierOptions> List { get; set; } = [];

    /// <summary>Use the host's embedded simulated carriers; by default only when <see cref="List"/> is empty.</summary>
    public bool? Simulated { get; set; }

    /// <summary>Whether the simulated carriers include the two SIP trunks (voice) beside the two SMSCs.</summary>
    public bool SimulatedVoice { get; set; } = true;

    /// <summary>A country is routable in production only with this many carriers per product.</summary>
    public int MinimumPerCountry { get; set; } = 2;

    /// <summary>Consecutive failures that open a carrier's circuit.</summary>
    public int BreakerFailures { get; set; } = 5;

    /// <summary>How long an open circuit keeps traffic away before trying again.</summary>
    public int BreakerOpenMilliseconds { get; set; } = 2000;

    /// <summary>After recovery a carrier's share grows from a tenth to its full weight over this time.</summary>
    public int RecoveryRampSeconds { get; set; } = 10;

    public bool UseSimulated => Simulated ?? List.Count == 0;
}

/// <summary>
/// One carrier: how routing sees it (countries, products, weight) and how to reach it (protocol,
/// address, and the protocol's own settings in the section named after it).
/// </summary>
public sealed class CarrierOptions
{
    public string Name { get; set; } = "";

    /// <summary>How the carrier is reached: <c>smpp</c> (the default) or <c>sip</c> (a SIP trunk).</summary>
    public string Protocol { get; set; } = SmppCarrierProtocol.ProtocolName;

    /// <summary>What it carries (<c>sms</c>, <c>voice</c>); left out, what its protocol carries.</summary>
    public List<string> Products { get; set; } = [];

    public string Host { get; set; } = "";

    /// <summary>0 (left out): the protocol's usual port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Connect with TLS 1.2+ (the default), checking the certificate against <see cref="Host"/>;
    /// false only on purpose, for a carrier that offers no TLS (warned at start and counted).
    /// </summary>
    public bool? Tls { get; set; }

    /// <summary>A PEM file of the CAs to trust for this carrier instead of the system's (a carrier with a private CA).</summary>
    public string? TlsCaFile { get; set; }

    public bool UsesTls => Tls != false;

    /// <summary>
    /// ISO 3166 alpha-2 codes, or "*" for every country; empty (the default) is every country too.
    /// Not defaulted to ["*"]: configuration binding appends to a list, so that default would stay.
    /// </summary>
    public List<string> Countries { get; set; } = [];
    public int Weight { get; set; } = 1;

    /// <summary>Settings of an SMPP carrier.</summary>
    public SmppSettings Smpp { get; set; } = new();

    /// <summary>Settings of a SIP trunk.</summary>
    public SipTrunkSettings Sip { get; set; } = new();

    /// <summary>Settings a running carrier takes without connecting again: they are routing's, not the link's.</summary>
    public static readonly IReadOnlySet<string> RoutingOnly = new HashSet<string> { nameof(Weight), nameof(Countries), nameof(Products) };

    /// <summary>The settings that differ between two versions of a carrier, nested ones as <c>Section:Key</c>.</summary>
    public static List<string> Changes(CarrierOptions before, CarrierOptions after)
    {
        var (old, now) = (Flatten(before), Flatten(after));
        return [.. old.Keys.Union(now.Keys).Where(k => k != nameof(Name) && old.GetValueOrDefault(k) != now.GetValueOrDefault(k))];
    }

    static Dictionary<string, string> Flatten(CarrierOptions carrier)
    {
        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(string prefix, JsonNode? node)
        {
            if (node is JsonObject section)
                foreach (var (key, value) in section)
                    Walk(prefix.Length == 0 ? key : $"{prefix}:{key}", value);
            else
                flat[prefix] = node?.ToJsonString() ?? "null";
        }
        Walk("", JsonSerializer.SerializeToNode(carrier));
        return flat;
    }
}

sealed class CarriersOptionsValidator(IEnumerable<ICarrierProtocol> protocols) : IValidateOptions<CarriersOptions>
{
    public ValidateOptionsResult Validate(string? name, CarriersOptions options)
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (carrier, index) in options.List.Select((c, i) => (c, i)))
        {
            var key = $"Carriers:List:{index}";
            if (string.IsNullOrWhiteSpace(carrier.Name) || !names.Add(carrier.Name))
                problems.Add($"{key}:Name must be set and unique");
            if (string.IsNullOrWhiteSpace(carrier.Host))
                problems.Add($"{key}:Host must be set");
            if (carrier.Port is < 0 or > 65535)
                problems.Add($"{key}:Port must be from 1 to 65535 (0 or left out: the protocol's usual port)");
            if (carrier.TlsCaFile is { } caFile && (!carrier.UsesTls || !File.Exists(caFile)))
                problems.Add($"{key}:TlsCaFile must name an existing PEM file, and goes with Tls");
            if (carrier.Weight is < 1 or > 1000)
                problems.Add($"{key}:Weight must be from 1 to 1000");
            if (carrier.Countries.Any(c => c != "*" && (c.Length != 2 || !c.All(char.IsAsciiLetterUpper))))
                problems.Add($"{key}:Countries must list ISO 3166 alpha-2 codes (upper case) or \"*\"");
            if (protocols.SingleOrDefault(p => p.Name == carrier.Protocol) is not { } protocol)
            {
                problems.Add($"{key}:Protocol must be one of {string.Join("/", protocols.Select(p => p.Name))}");
                continue;
            }
            if (carrier.Products.Any(p => !protocol.Products.Contains(p)))
                problems.Add($"{key}:Products: a carrier of protocol {protocol.Name} carries {string.Join("/", protocol.Products)}");
            problems.AddRange(protocol.Validate(carrier, key));
        }
        if (options.MinimumPerCountry < 1 || options.BreakerFailures < 1 || options.BreakerOpenMilliseconds < 1 || options.RecoveryRampSeconds < 0)
            problems.Add("Carriers: MinimumPerCountry, BreakerFailures and BreakerOpenMilliseconds must be positive");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
