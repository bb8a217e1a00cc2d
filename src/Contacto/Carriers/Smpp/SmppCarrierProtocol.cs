using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Text;
using Contacto.Tls;
using Microsoft.Extensions.Logging;

namespace Contacto.Carriers.Smpp;

/// <summary>Carriers reached over SMPP 3.4: transceiver binds that submit texts and take receipts and mobile-originated texts.</summary>
internal sealed class SmppCarrierProtocol(TimeProvider time, ILoggerFactory loggers) : ICarrierProtocol
{
    public const string ProtocolName = "smpp";
    public const int DefaultPort = 2775;

    static readonly string[] Alphabets = ["Gsm7", "Latin1", "Ascii"];
    static readonly string[] Concatenations = ["Udh8", "Udh16", "Sar"];

    public string Name => ProtocolName;

    public IReadOnlyList<string> Products { get; } = [CarrierProducts.Sms];

    public IEnumerable<string> Validate(CarrierOptions carrier, string key)
    {
        var smpp = carrier.Smpp;
        key += ":Smpp";
        if (string.IsNullOrWhiteSpace(smpp.SystemId) || smpp.SystemId.Length > 15 || smpp.Password.Length > 8)
            yield return $"{key}: SystemId must be set (at most 15 characters) and Password at most 8 characters, as SMPP 3.4 allows";
        if (smpp.Binds is < 1 or > 16 || smpp.Window is < 1 or > 1024)
            yield return $"{key}: Binds (1-16) and Window (1-1024) must be in range";
        if (smpp.TransactionsPerSecond < 0 || smpp.ResponseTimeoutMilliseconds is < 100 or > 60000)
            yield return $"{key}: TransactionsPerSecond must be >= 0 and ResponseTimeoutMilliseconds from 100 to 60000";
        if (!Alphabets.Contains(smpp.DefaultAlphabet) || !Concatenations.Contains(smpp.Concatenation))
            yield return $"{key}: DefaultAlphabet is one of {string.Join("/", Alphabets)}, Concatenation one of {string.Join("/", Concatenations)}";
    }

    public ICarrierConnection Open(CarrierOptions carrier, CarrierSinks sinks)
    {
        var smpp = carrier.Smpp;
        var binds = Enumerable.Range(1, smpp.Binds).Select(i => new SmppBindOptions
        {
            Name = $"{carrier.Name}#{i}",
            Host = carrier.Host,
            Port = carrier.Port == 0 ? DefaultPort : carrier.Port,
            SystemId = smpp.SystemId,
            Password = smpp.Password,
            Mode = BindMode.Transceiver,
            TransactionsPerSecond = smpp.TransactionsPerSecond,
            Tls = carrier.UsesTls ? TlsPolicy.Client(carrier.Host, carrier.TlsCaFile) : null,
            Connection = new SmppConnectionOptions
            {
                Name = $"{carrier.Name}#{i}",
                WindowSize = smpp.Window,
                ResponseTimeout = TimeSpan.FromMilliseconds(smpp.ResponseTimeoutMilliseconds),
            },
        }).ToList();
        var profile = new TextProfile
        {
            SmscDefaultAlphabet = Enum.Parse<SmsAlphabet>(smpp.DefaultAlphabet),
            Concatenation = smpp.Concatenation switch
            {
                "Udh16" => ConcatenationMode.Udh16BitReference,
                "Sar" => ConcatenationMode.SarTlvs,
                _ => ConcatenationMode.Udh8BitReference,
            },
        };
        return new SmppCarrierConnection(new SmppCarrierOptions { Name = carrier.Name, Binds = binds, Text = profile }, sinks, time, loggers.CreateLogger<SmppCarrier>());
    }
}
