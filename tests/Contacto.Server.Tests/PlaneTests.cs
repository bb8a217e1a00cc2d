using System.Net;
using System.Text.Json;

namespace Contacto.Server.Tests;

/// <summary>Public and ops planes: HSTS, separation, health and metrics.</summary>
public sealed class PlaneTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task The_public_plane_sends_HSTS_and_the_ops_plane_does_not_need_to()
    {
        using var response = await fixture.Server.Public.GetAsync("/");
        Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var values));
        Assert.Contains("max-age=31536000", Assert.Single(values));

        using var ops = await fixture.Server.Ops.GetAsync("/health/live");
        Assert.False(ops.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    public async Task Ops_endpoints_do_not_exist_on_the_public_plane(string path)
    {
        using var response = await fixture.Server.Public.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Live_and_ready_answer_healthy_with_storage_details()
    {
        using var live = await fixture.Server.Ops.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var ready = await fixture.Server.Ops.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_are_in_prometheus_text_format_and_count_requests()
    {
        (await fixture.Server.Public.GetAsync("/no-such-page")).Dispose();
        using var response = await fixture.Server.Ops.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
        Assert.Contains("http_response_status_code=\"404\"", text);
    }

    [Fact]
    public void The_ops_plane_listens_on_loopback_only_by_default()
    {
        var defaults = new Contacto.Server.ListenerOptions();
        Assert.True(Contacto.Server.ListenerEndpoint.TryParse(defaults.Ops, out var ops, out _));
        Assert.True(ops.IsLoopbackOnly);
        Assert.Equal(5002, ops.Port);
        Assert.True(Contacto.Server.ListenerEndpoint.TryParse(defaults.Public, out var pub, out _));
        Assert.Equal(IPAddress.Any, pub.Address);
        Assert.Equal(5001, pub.Port);
    }
}
