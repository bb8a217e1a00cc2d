using System.Net.Security;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;

namespace Contacto.Smpp.Client;

/// <summary>
/// Where and how one bind connects. A class, not a record, so that printing it never shows
/// the password.
/// </summary>
public sealed class SmppBindOptions
{
    /// <summary>A name for logs and health, such as "carrier-a#1".</summary>
    public string Name { get; init; } = "bind";

    public required string Host { get; init; }

    public int Port { get; init; } = 2775;

    public required string SystemId { get; init; }

    public required string Password { get; init; }

    public string SystemType { get; init; } = string.Empty;

    public BindMode Mode { get; init; } = BindMode.Transceiver;

    /// <summary>Window, time-outs and keep-alive of the connection.</summary>
    public SmppConnectionOptions Connection { get; init; } = new();

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Submits per second on this bind; 0 means no limit.</summary>
    public double TransactionsPerSecond { get; init; }

    /// <summary>Pause after ESME_RTHROTTLED or ESME_RMSGQFUL before the same message is tried again.</summary>
    public TimeSpan ThrottleRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often one message is retried after throttling before its status is returned.</summary>
    public int ThrottleRetries { get; init; } = 3;

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Set to connect with TLS (TargetHost required); null for plain TCP.</summary>
    public SslClientAuthenticationOptions? Tls { get; init; }

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host);
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfNegative(TransactionsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(ThrottleRetries);
        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), "reconnect delays must be positive, min <= max");
        }
        if (Tls is not null && string.IsNullOrWhiteSpace(Tls.TargetHost))
        {
            throw new ArgumentException("Tls.TargetHost must name the host the certificate is checked against.", nameof(Tls));
        }
        Connection.Validate();
    }
}
