using Microsoft.Extensions.Options;

namespace Contacto.Carriers;

/// <summary>
/// Section <c>Carriers</c>: the SMPP carriers messages leave through. With no carrier listed the
/// platform starts two simulated carriers in-process that serve every country
/// (<see cref="Simulated"/> overrides either way).
/// </summary>
public sealed class CarriersOptions
{
    public const string Section = "Carriers";

    public List<CarrierOptions> List { get; set; } = [];

    /// <summary>Start the two in-process simulated carriers; by default only when <see cref="List"/> is empty.</summary>
    public bool? Simulated { get; set; }

    /// <summary>A country is routable in production only with this many carriers.</summary>
    public int MinimumPerCountry { get; set; } = 2;

    /// <summary>Consecutive failures that open a carrier's circuit.</summary>
    public int BreakerFailures { get; set; } = 5;

    /// <summary>How long an open circuit keeps traffic away before trying again.</summary>
    public int BreakerOpenMilliseconds { get; set; } = 2000;

    /// <summary>After recovery a carrier's share grows from a tenth to its full weight over this time.</summary>
    public int RecoveryRampSeconds { get; set; } = 10;

    public bool UseSimulated => Simulated ?? List.Count == 0;
}

public sealed class CarrierOptions
{
    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 2775;
    public string SystemId { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>Connect with TLS, checking the certificate against <see cref="Host"/>.</summary>
    public bool Tls { get; set; }
    public int Binds { get; set; } = 1;
    public int Window { get; set; } = 64;

    /// <summary>Submits per second per bind; 0 for no limit.</summary>
    public double TransactionsPerSecond { get; set; }

    /// <summary>
    /// ISO 3166 alpha-2 codes, or "*" for every country; empty (the default) is every country too.
    /// Not defaulted to ["*"]: configuration binding appends to a list, so that default would stay.
    /// </summary>
    public List<string> Countries { get; set; } = [];
    public int Weight { get; set; } = 1;

    /// <summary>What data_coding 0 means to this carrier: Gsm7 (default), Latin1 or Ascii.</summary>
    public string DefaultAlphabet { get; set; } = "Gsm7";

    /// <summary>How long parts are joined: Udh8 (default), Udh16 or Sar.</summary>
    public string Concatenation { get; set; } = "Udh8";

    /// <summary>A submit not answered within this fails over to another carrier.</summary>
    public int ResponseTimeoutMilliseconds { get; set; } = 1000;

    /// <summary>Settings a running carrier takes without binding again.</summary>
    public static readonly IReadOnlySet<string> RoutingOnly = new HashSet<string> { nameof(Weight), nameof(Countries) };

    /// <summary>The names of the settings that differ between two versions of a carrier.</summary>
    public static List<string> Changes(CarrierOptions before, CarrierOptions after) =>
    [
        .. typeof(CarrierOptions).GetProperties().Where(p => p.Name != nameof(Name)).Where(p => p.GetValue(before) is var old && p.GetValue(after) is var now
            && (old is IEnumerable<string> list ? !list.SequenceEqual((IEnumerable<string>)now!) : !Equals(old, now))).Select(p => p.Name),
    ];
}

sealed class CarriersOptionsValidator : IValidateOptions<CarriersOptions>
{
    static readonly string[] Alphabets = ["Gsm7", "Latin1", "Ascii"];
    static readonly string[] Concatenations = ["Udh8", "Udh16", "Sar"];

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
            if (carrier.Port is < 1 or > 65535)
                problems.Add($"{key}:Port must be from 1 to 65535");
            if (string.IsNullOrWhiteSpace(carrier.SystemId) || carrier.SystemId.Length > 15 || carrier.Password.Length > 8)
                problems.Add($"{key}: SystemId must be set (at most 15 characters) and Password at most 8 characters, as SMPP 3.4 allows");
            if (carrier.Binds is < 1 or > 16 || carrier.Window is < 1 or > 1024 || carrier.Weight is < 1 or > 1000)
                problems.Add($"{key}: Binds (1-16), Window (1-1024) and Weight (1-1000) must be in range");
            if (carrier.TransactionsPerSecond < 0 || carrier.ResponseTimeoutMilliseconds is < 100 or > 60000)
                problems.Add($"{key}: TransactionsPerSecond must be >= 0 and ResponseTimeoutMilliseconds from 100 to 60000");
            if (carrier.Countries.Any(c => c != "*" && (c.Length != 2 || !c.All(char.IsAsciiLetterUpper))))
                problems.Add($"{key}:Countries must list ISO 3166 alpha-2 codes (upper case) or \"*\"");
            if (!Alphabets.Contains(carrier.DefaultAlphabet) || !Concatenations.Contains(carrier.Concatenation))
                problems.Add($"{key}: DefaultAlphabet is one of {string.Join("/", Alphabets)}, Concatenation one of {string.Join("/", Concatenations)}");
        }
        if (options.MinimumPerCountry < 1 || options.BreakerFailures < 1 || options.BreakerOpenMilliseconds < 1 || options.RecoveryRampSeconds < 0)
            problems.Add("Carriers: MinimumPerCountry, BreakerFailures and BreakerOpenMilliseconds must be positive");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
