using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Contacto.Api;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Contacto.Tests.Api;

/// <summary>
/// Bodies the API cannot read are the client's fault: a 400 (or 413, 415) in the API's shape that
/// names the problem, nothing stored, nothing logged as an error. A fault of the server is still a
/// logged 500.
/// </summary>
public sealed class RequestParsingTests
{
    /// <summary>The two defects found by an attacker's run: each answered 500 and was logged as an unhandled error.</summary>
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_NUL_in_a_form_value_or_a_form_key_over_2048_characters_is_a_400_and_stores_nothing(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage, configure: builder => builder.Logging.AddProvider(logs));
        var (account, token) = await server.CreateAccountAsync("Acme");
        await MessagingHarness.AddNumberAsync(server, account.Id, MessagingHarness.Sender);
        using var client = server.ApiClient(account.AuthId, token);
        var root = $"/v1/Account/{account.AuthId}";
        var message = $"src={Uri.EscapeDataString(MessagingHarness.Sender)}&dst={Uri.EscapeDataString(MessagingHarness.Destination(1))}&text=hello";
        var longKey = new string('k', 2049);

        foreach (var (path, form) in new[] { ($"{root}/Message/", message + "%00there"), ($"{root}/Subaccount/", "name=Sub%00one") })
        {
            var (status, body) = await PostFormAsync(client, path, form);
            Assert.True(status == HttpStatusCode.BadRequest, $"POST {path} answered {status}");
            Assert.Equal("malformed form body: The form value contains invalid characters.", body.ErrorMessage());
        }
        foreach (var (path, valid) in new[] { ($"{root}/", "name=Renamed"), ($"{root}/Application/", "app_name=App"), ($"{root}/Subaccount/", "name=Sub"), ($"{root}/Message/", message) })
        {
            var (status, body) = await PostFormAsync(client, path, $"{valid}&{longKey}=x");
            Assert.True(status == HttpStatusCode.BadRequest, $"POST {path} answered {status}");
            Assert.Equal("malformed form body: Form key length limit 2048 exceeded.", body.ErrorMessage());
        }

        var (_, accountView) = await client.GetJsonAsync($"{root}/");
        Assert.Equal("Acme", accountView.Str("name"));
        Assert.Empty(await ObjectsAsync(client, $"{root}/Message/"));
        Assert.Empty(await ObjectsAsync(client, $"{root}/Application/"));
        Assert.Empty(await ObjectsAsync(client, $"{root}/Subaccount/"));
        AssertNoErrorLogged(logs);
    }

    /// <summary>Content types and bodies, with what each must get: 200 meaning any success.</summary>
    static readonly (string ContentType, string Body, HttpStatusCode Expected)[] OddBodies =
    [
        ("application/x-www-form-urlencoded; charset", "name=x", HttpStatusCode.OK),
        ("application/x-www-form-urlencoded; charset=nonsense-9", "name=x", HttpStatusCode.OK),
        ("application/x-www-form-urlencoded; ;;==", "name=x", HttpStatusCode.UnsupportedMediaType),
        ("application/x-www-form-urlencoded; charset=utf-7", "name=x", HttpStatusCode.UnsupportedMediaType),
        ("application/json; charset=utf-7", "{}", HttpStatusCode.UnsupportedMediaType),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--x--\r\n", HttpStatusCode.UnsupportedMediaType),
        ("text/plain", "name=x", HttpStatusCode.UnsupportedMediaType),
        ("application/json", "{\"name\": \"\\u0000\"}", HttpStatusCode.BadRequest),
        ("application/json", "{\"name\": \"\xff\xfe\"}", HttpStatusCode.BadRequest),
        ("application/json", "{\"name\": \"\\ud800\"}", HttpStatusCode.BadRequest),
        ("application/json", "{\"\xc3\": 1}", HttpStatusCode.BadRequest),
        ("application/json", new string('[', 100), HttpStatusCode.BadRequest),
    ];

    [Fact]
    public async Task Odd_content_types_and_bodies_are_client_errors()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage, configure: builder => builder.Logging.AddProvider(logs));
        var (account, token) = await server.CreateAccountAsync("Acme");
        using var client = server.ApiClient(account.AuthId, token);

        foreach (var (contentType, body, expected) in OddBodies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/Account/{account.AuthId}/Subaccount/")
            {
                Content = new ByteArrayContent(Encoding.Latin1.GetBytes(body)),
            };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var response = await client.SendAsync(request);

            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (expected == HttpStatusCode.OK)
                Assert.True(response.IsSuccessStatusCode, $"{contentType} answered {response.StatusCode}");
            else
            {
                Assert.True(expected == response.StatusCode, $"{contentType} {body} answered {response.StatusCode}");
                answer.ErrorMessage();
            }
        }
        AssertNoErrorLogged(logs);
    }

    [Fact]
    public async Task A_fault_of_the_server_is_still_a_logged_500_and_a_lost_race_a_409()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage, configure: builder => builder.Logging.AddProvider(logs), map: app =>
        {
            var api = app.MapAccountApi();
            api.MapPost("/Fault/", async (HttpContext context) =>
            {
                await ApiParameters.ReadAsync(context.Request, ["name"]);
                // The same exception type as a form the client broke, raised by the server's own data.
                throw new InvalidDataException("a stored record is damaged");
            });
            api.MapPost("/Race/", () => { throw new Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException("expected 1 row, affected 0"); });
        });
        var (account, token) = await server.CreateAccountAsync("Acme");
        using var client = server.ApiClient(account.AuthId, token);

        var (status, body) = await PostFormAsync(client, $"/v1/Account/{account.AuthId}/Race/", "");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("changed or removed by another request", body.ErrorMessage());
        AssertNoErrorLogged(logs);

        (status, body) = await PostFormAsync(client, $"/v1/Account/{account.AuthId}/Fault/", "name=x");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("internal error", body.ErrorMessage());
        Assert.Contains(logs.Lines, l => l.StartsWith("Error Contacto.Api: Unhandled error on POST", StringComparison.Ordinal) && l.Contains("a stored record is damaged"));
    }

    [Fact]
    public async Task A_console_form_the_form_reader_refuses_is_a_400_page_and_an_unreadable_charset_a_415()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage, configure: builder => builder.Logging.AddProvider(logs));
        using var browser = new ConsoleBrowser(server);
        await browser.GetAsync("/console/sign-in");

        foreach (var field in new[] { ("email", "a\0b"), (new string('k', 2049), "x") })
        {
            var answer = await browser.PostAsync("/console/sign-in", field, ("password", "x"));
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
            Assert.Contains("Form refused", answer.Html);
        }
        using var client = CaTrust.Client(server.CaPath, server.PublicPort);
        foreach (var body in new[] { "email=a", "" })
        {
            using var utf7 = new StringContent(body, Encoding.ASCII);
            utf7.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-7");
            using var refused = await client.PostAsync("/console/sign-in", utf7);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        }
        AssertNoErrorLogged(logs);
    }

    static async Task<(HttpStatusCode Status, JsonElement Body)> PostFormAsync(HttpClient client, string path, string form)
    {
        using var content = new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded");
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    static async Task<List<JsonElement>> ObjectsAsync(HttpClient client, string path)
    {
        var (status, body) = await client.GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("objects").EnumerateArray()];
    }

    static void AssertNoErrorLogged(RecordedLogs logs) =>
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));
}
