using Contacto.Console;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Console;

/// <summary>Invitation links (and passkeys) follow the public listener's address unless <c>Console:PublicUrl</c> says otherwise.</summary>
public sealed class ConsolePublicUrlTests
{
    [Theory]
    [InlineData(null, "https://localhost:5001")]
    [InlineData("https://0.0.0.0:443", "https://localhost")]
    [InlineData("https://[::]:5001", "https://localhost:5001")]
    [InlineData("https://127.0.0.1:7001", "https://localhost:7001")]
    [InlineData("https://203.0.113.7:8443", "https://203.0.113.7:8443")]
    public void An_unset_public_url_is_the_public_listeners_address(string? listen, string expected)
    {
        var options = Resolve(new() { ["Listen:Public"] = listen });
        Assert.Equal(expected, options.PublicUrl);
        Assert.True(options.PublicUrlFromListener);
    }

    [Fact]
    public void A_set_public_url_wins_over_the_listener()
    {
        var options = Resolve(new() { ["Listen:Public"] = "https://203.0.113.7:8443", ["Console:PublicUrl"] = "https://console.example.com" });
        Assert.Equal("https://console.example.com", options.PublicUrl);
        Assert.False(options.PublicUrlFromListener);
    }

    static ConsoleOptions Resolve(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddContactoConsole();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ConsoleOptions>>().Value;
    }
}
