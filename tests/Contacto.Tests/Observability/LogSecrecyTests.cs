using System.Net;
using System.Text.Json;
using Contacto.Observability;
using Contacto.Server;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Console;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtpNet;
using Xunit.Abstractions;

namespace Contacto.Tests.Observability;

/// <summary>
/// Logs never carry secrets or numbers: the real server, as a process with every log category at
/// Trace, goes through an API flow with phone numbers (in bodies, paths and URL-encoded queries)
/// and secrets, and a console invitation, enrolment and sign-in; then every line it wrote is
/// searched for each secret and number used.
/// </summary>
public sealed class LogSecrecyTests(ITestOutputHelper testOutput)
{
    const string Sender = "+351912000001";
    const string FirstDestination = "+351913000001";
    const string SecondDestination = "+351913000002";
    const string Text = "orchid rendezvous at the north gate";
    const string Password = "correct horse battery staple";
    const string WrongPassword = "incorrect mule battery staple";

    [Fact]
    public async Task A_full_flow_leaves_no_secret_or_number_in_any_line_the_server_writes_even_at_trace()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await CliRunner.RunAsync(storage, "db", "migrate");
        var created = JsonDocument.Parse(await CliRunner.RunAsync(storage, "account", "create", "--name", "Logs", "--json")).RootElement;
        var (authId, token) = (created.Str("auth_id"), created.Str("auth_token"));
        await CliRunner.RunAsync(storage, "number", "add", "--number", Sender, "--country", "PT", "--type", "mobile", "--account", authId);
        var link = JsonDocument.Parse(await CliRunner.RunAsync(storage, "user", "invite", "--account", authId, "--email", "logs@example.com", "--json")).RootElement.Str("link");
        using var server = ServerProcess.Start(
        [
            .. storage.Arguments, "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0",
            "--Log:Format", "Json", "--Console:PasswordHashMemoryKib", "1024",
            // Everything up, the categories that are quiet by default too: the redactor alone must hold.
            "--Logging:LogLevel:Default", "Trace",
            .. LoggingSetup.QuietByDefault.Keys.SelectMany(category => new[] { $"--Logging:LogLevel:{category}", "Trace" }),
        ]);
        var (publicPort, _, caPath) = await server.WaitForBannerAsync(TimeSpan.FromSeconds(180)); // every category at Trace slows the start on a busy machine
        List<string> secrets = [token, ConsoleBrowser.InvitationToken(link), Password, WrongPassword, Text];

        // The API: numbers in a body, a path and URL-encoded queries; tokens issued, rotated and guessed.
        using (var api = Client(caPath, publicPort, authId, token))
        {
            var root = $"/v1/Account/{authId}/";
            var (status, sent) = await api.PostJsonAsync($"{root}Message/", new { src = Sender[1..], dst = $"{FirstDestination[1..]}<{SecondDestination}", text = Text });
            Assert.Equal(HttpStatusCode.Accepted, status);
            var uuid = sent.GetProperty("message_uuid")[0].GetString();
            Assert.Equal(HttpStatusCode.OK, (await api.GetJsonAsync($"{root}Message/?from_number={Uri.EscapeDataString(Sender)}")).Status);
            Assert.Equal(HttpStatusCode.OK, (await api.GetJsonAsync($"{root}Message/?to_number={SecondDestination[1..]}&message_direction=outbound")).Status);
            Assert.Equal(HttpStatusCode.OK, (await api.GetJsonAsync($"{root}Number/{Sender[1..]}/")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetJsonAsync($"{root}Number/{Uri.EscapeDataString(FirstDestination)}/")).Status);
            await DeliveredAsync(api, $"{root}Message/{uuid}/");
            var (_, subaccount) = await api.PostJsonAsync($"{root}Subaccount/", new { name = "Child", enabled = true });
            secrets.Add(subaccount.Str("auth_token"));
            var (_, rotated) = await api.PostJsonAsync($"{root}AuthToken/", new { grace_period = 60 });
            secrets.Add(rotated.Str("auth_token"));
            var guess = "Gu3ss" + token[5..];
            secrets.Add(guess);
            using var guesser = Client(caPath, publicPort, authId, guess);
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetJsonAsync(root)).Status);
        }

        // The console: the invitation, a wrong password, enrolment, sign-in with the code.
        using (var browser = new ConsoleBrowser(caPath, publicPort))
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.OpenInvitationAsync(link)).Status);
            secrets.Add(browser.Csrf);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.JoinAsync(link, ("password", Password), ("confirm", Password))).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SignInAsync("logs@example.com", WrongPassword)).Status);
            Assert.Equal("/console/enrol", (await browser.SignInAsync("logs@example.com", Password)).Location);
            var secret = ConsoleServer.SecretOf((await browser.GetAsync("/console/enrol")).Html);
            secrets.Add(secret);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("/console/enrol", ("code", new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp()))).Status);
            secrets.AddRange(ConsoleServer.RecoveryCodesOf((await browser.GetAsync("/console/recovery-codes")).Html));
            secrets.Add(browser.Session!);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/account")).Status);
        }

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var lines = server.Output.Concat((await server.StandardError).Split('\n')).ToList();
        testOutput.WriteLine($"{lines.Count} lines written, {secrets.Count} secrets searched");
        // The capture is real: request lines and the dispatcher's work are there, numbers masked.
        Assert.Contains(lines, l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains("/Number/35", StringComparison.Ordinal));
        foreach (var level in lines.GroupBy(l => System.Text.RegularExpressions.Regex.Match(l, "\"level\":\"(\\w+)\"").Groups[1].Value))
            testOutput.WriteLine($"{level.Key}: {level.Count()} lines, {string.Join(", ", level.Select(l => System.Text.RegularExpressions.Regex.Match(l, "\"category\":\"([^\"]+)\"").Groups[1].Value).Distinct().Take(12))}");
        Assert.Contains(lines, l => l.Contains("\"level\":\"Trace\"", StringComparison.Ordinal));

        string[] numbers = [.. new[] { Sender, FirstDestination, SecondDestination }.Select(n => n[1..])];
        foreach (var (value, what) in secrets.Select(s => (s, "a secret")).Concat(numbers.Select(n => (n, "a phone number"))))
        {
            var leak = lines.FirstOrDefault(l => l.Contains(value, StringComparison.Ordinal) || l.Contains(Uri.EscapeDataString(value), StringComparison.Ordinal));
            Assert.True(leak is null, $"{what} appears in the server's output: {leak?.Replace(value, "<HERE>")}");
        }
    }

    [Fact]
    public void Framework_request_logging_is_quiet_unless_configured()
    {
        using var data = new TempDirectory();
        string[] args = ["--data-dir", data.Combine("data"), "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0"];
        using (var quiet = ContactoServer.Build(args))
        {
            var loggers = quiet.Services.GetRequiredService<ILoggerFactory>();
            Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
            Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
            Assert.False(loggers.CreateLogger("System.Net.Http.HttpClient.paging.LogicalHandler").IsEnabled(LogLevel.Information));
            Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
            Assert.True(loggers.CreateLogger("Contacto.Messaging.MessageDispatcher").IsEnabled(LogLevel.Information));
        }
        using var loud = ContactoServer.Build([.. args, "--Logging:LogLevel:Microsoft.AspNetCore.Hosting", "Information"]);
        Assert.True(loud.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    static HttpClient Client(string caPath, int port, string authId, string token)
    {
        var client = CaTrust.Client(caPath, port);
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{authId}:{token}")));
        return client;
    }

    static async Task DeliveredAsync(HttpClient api, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await api.GetJsonAsync(path)).Body.Str("message_state") != "delivered")
            await Task.Delay(100, timeout.Token);
    }
}
