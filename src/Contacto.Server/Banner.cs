using System.Text;
using Contacto.Accounts;
using Contacto.Carriers.Sip;
using Contacto.Platform;
using Contacto.Storage;
using Contacto.Tls;
using Microsoft.Extensions.Options;

namespace Contacto.Server;

/// <summary>What an operator needs after start: where to go, what to trust, where data lives.</summary>
static class Banner
{
    public static string Render(WebApplication app, AccountService.Created? firstAccount)
    {
        var services = app.Services;
        var listen = services.GetRequiredService<IOptions<ListenerOptions>>().Value;
        var bound = services.GetRequiredService<BoundListeners>();
        var certificates = services.GetRequiredService<ServerCertificateStore>();
        var storage = services.GetRequiredService<ContactoDbContextFactory>();
        var data = services.GetRequiredService<DataDirectory>();

        var publicUrl = $"https://{DisplayHost(listen.Public)}:{bound.PublicPort}/";
        var opsUrl = $"https://{DisplayHost(listen.Ops)}:{bound.OpsPort}/";
        var text = new StringBuilder()
            .AppendLine("Contacto is running.")
            .AppendLine($"  Public API:     {publicUrl}v1/")
            .AppendLine($"  Console:        {publicUrl}console/")
            .AppendLine($"  Ops plane:      {opsUrl}health/ready  (metrics: {opsUrl}metrics)")
            .AppendLine($"  SIP:            {Sip(services.GetRequiredService<SipListeners>())}")
            .AppendLine($"  Data directory: {data.Root}  (storage: {storage.Provider})");
        if (certificates.CaCertificatePath is { } ca)
            text.AppendLine($"  TLS CA:         {ca}")
                .AppendLine($"                  trust it, e.g. curl --cacert {ca} {publicUrl}");
        else
            text.AppendLine("  TLS:            certificate from configuration");
        if (firstAccount is not null)
            text.AppendLine()
                .AppendLine("  First account, created now and shown only this once (keep the token safe):")
                .AppendLine($"    Auth ID:    {firstAccount.Account.AuthId}")
                .AppendLine($"    Auth Token: {firstAccount.AuthToken}")
                .AppendLine($"    try: curl --cacert {certificates.CaCertificatePath ?? "<ca>"} -u {firstAccount.Account.AuthId}:{firstAccount.AuthToken} {publicUrl}v1/Account/{firstAccount.Account.AuthId}/")
                .AppendLine($"    console: contacto user invite --account {firstAccount.Account.AuthId} --email YOU@EXAMPLE.COM  (prints a sign-up link)");
        return text.ToString().TrimEnd();
    }

    static string Sip(SipListeners sip)
    {
        var listening = new[] { ("udp", sip.Udp), ("tcp", sip.Tcp), ("tls", sip.Tls) }.Where(l => l.Item2 is not null).Select(l => $"{l.Item1} {l.Item2}").ToList();
        return listening.Count == 0 ? "off (Sip:Listen)" : string.Join(", ", listening);
    }

    static string DisplayHost(string url)
    {
        ListenerEndpoint.TryParse(url, out var endpoint, out _);
        return endpoint.Address is null || endpoint.Address.Equals(System.Net.IPAddress.Any) || endpoint.Address.Equals(System.Net.IPAddress.IPv6Any)
            ? "localhost"
            : endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
    }
}
