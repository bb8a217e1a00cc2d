using Contacto.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Observability;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("sending to +14155550123 now", "+14155550123")]
    [InlineData("to 447700900123", "447700900123")]
    [InlineData("card 4111 1111 1111 1111 used", "4111 1111 1111 1111")]
    [InlineData("card 4111-1111-1111-1111", "4111-1111-1111-1111")]
    [InlineData("pan=5555555555554444", "5555555555554444")]
    [InlineData("Authorization: Basic TUFBQkNERUZHSElKS0xNTk9QUVI6c2VjcmV0", "TUFBQkNERUZHSElKS0xNTk9QUVI6c2VjcmV0")]
    [InlineData("header Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "eyJhbGciOiJIUzI1NiJ9")]
    [InlineData("auth_token=Zx9kQ2mW8rT5vB1nL7pY3sD6fH0jK4gA2cE8uI9o", "Zx9kQ2mW8rT5vB1nL7pY3sD6fH0jK4gA2cE8uI9o")]
    [InlineData("token Zx9kQ2mW8rT5vB1nL7pY3sD6fH0jK4gA2cE8uI9o leaked", "Zx9kQ2mW8rT5vB1nL7pY3sD6fH0jK4gA2cE8uI9o")]
    [InlineData("{\"password\": \"hunter2\"}", "hunter2")]
    [InlineData("Pin=1234", "1234")]
    [InlineData("GET /console/invitations/q9-Zx9kQ2mW8rT5v-B1nL7pY3sD6fH0-jK4gA2cE8uI9o_b", "B1nL7pY3sD6fH0")]
    [InlineData("invitation Zx9kQ2mW-8rT5vB1n_L7pY3sD6-fH0jK4gA2cE8uI9o done", "8rT5vB1n_L7pY3sD6")]
    [InlineData("GET /v1/Account/MA0123456789ABCDEFGH/Message/?from_number=%2B351912000001 200", "912000")]
    [InlineData("to=%2b351%20912%20000%20001&x=1", "912")]
    [InlineData("callback?token%3DZx9kQ2mW8rT5vB1nL7pY", "Zx9kQ2mW8rT5vB1nL7pY")]
    public void Secrets_cards_and_phone_numbers_do_not_survive(string text, string secret)
    {
        var redacted = LogRedactor.Redact(text);
        Assert.DoesNotContain(secret, redacted);
    }

    [Fact]
    public void Phone_numbers_keep_just_enough_to_recognise_them()
    {
        Assert.Equal("to +14*******23", LogRedactor.Redact("to +14155550123"));
        Assert.Equal("?to=+35********01", LogRedactor.Redact("?to=%2B351912000001"));
    }

    [Fact]
    public void Escaped_control_characters_are_not_decoded_into_the_log()
    {
        Assert.Equal("a%0Aforged line", LogRedactor.Redact("a%0Aforged line"));
    }

    [Theory]
    [InlineData("expires 2027-02-27 05:00:00Z")]
    [InlineData("client 192.168.100.200 port 5001")]
    [InlineData("message 0195f3a2-7c1e-7b11-9c3d-123456789abc")]
    [InlineData("GET /v1/Account/MA0123456789ABCDEFGH/Message/0195f3a2-7c1e-7b11-9c3d-123456789abc/ 200")]
    [InlineData("progress 100%")]
    [InlineData("spinner mapping done in 12 ms")]
    [InlineData("4111 1111 1111 1112")] // fails the Luhn check, and is too long to be a phone number
    public void Ordinary_text_stays_readable(string text)
    {
        Assert.Equal(text, LogRedactor.Redact(text));
    }

    [Theory]
    [InlineData(LogFormat.Json)]
    [InlineData(LogFormat.Text)]
    public void The_console_formatter_redacts_message_properties_scopes_and_exceptions(LogFormat format)
    {
        var formatter = new RedactingConsoleFormatter(new StaticOptions(new RedactingConsoleFormatterOptions { Format = format }));
        var scopes = new LoggerExternalScopeProvider();
        using var _ = scopes.Push("account token=Zx9kQ2mW8rT5vB1nL7pY3sD6fH0jK4gA2cE8uI9o");
        var state = new LogValues("Sent to {To} with card {Card}", ("To", "+14155550123"), ("Card", "4111111111111111"));
        var entry = new LogEntry<LogValues>(LogLevel.Warning, "Test", new EventId(7), state,
            new InvalidOperationException("rejected +14155550123"), (s, _) => s.ToString());
        var output = new StringWriter();

        formatter.Write(entry, format == LogFormat.Json ? scopes : null, output);

        var text = output.ToString();
        Assert.Contains("Sent to", text);
        Assert.DoesNotContain("4155550123", text);
        Assert.DoesNotContain("4111111111111111", text);
        Assert.DoesNotContain("Zx9kQ2mW8rT5vB1nL7pY3sD6fH0jK4gA2cE8uI9o", text);
        if (format == LogFormat.Json)
            Assert.StartsWith("{", text);
    }

    sealed class StaticOptions(RedactingConsoleFormatterOptions value) : IOptionsMonitor<RedactingConsoleFormatterOptions>
    {
        public RedactingConsoleFormatterOptions CurrentValue => value;
        public RedactingConsoleFormatterOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<RedactingConsoleFormatterOptions, string?> listener) => null;
    }

    /// <summary>The shape the logging source generator passes: named values plus the template.</summary>
    sealed class LogValues(string template, params (string Key, object? Value)[] values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        readonly List<KeyValuePair<string, object?>> items =
            [.. values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)), new("{OriginalFormat}", template)];

        public KeyValuePair<string, object?> this[int index] => items[index];
        public int Count => items.Count;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => items.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            values.Aggregate(template, (text, v) => text.Replace("{" + v.Key + "}", Convert.ToString(v.Value)));
    }
}
