using System.Net;
using Contacto.Webhooks;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Webhooks;

public sealed class OutboundUrlPolicyTests
{
    static OutboundUrlPolicy Policy(params string[] allowed) => new(Options.Create(new WebhookOptions { AllowedNetworks = allowed }));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")] // carrier-grade NAT
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.10")]
    [InlineData("198.18.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::127.0.0.1")] // IPv4-compatible
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("2002:7f00:1::1")] // 6to4 of 127.0.0.1
    [InlineData("fc00::1")]
    [InlineData("fd00:ec2::254")] // cloud metadata over IPv6
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("2001:db8::1")]
    public void Private_loopback_link_local_and_reserved_addresses_are_refused(string address)
    {
        Assert.False(OutboundUrlPolicy.IsPublic(IPAddress.Parse(address)));
        Assert.False(Policy().IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address) => Assert.True(Policy().IsAllowed(IPAddress.Parse(address)));

    [Fact]
    public void The_operator_can_allow_a_network_on_purpose()
    {
        var policy = Policy("10.20.0.0/16");
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.20.3.4")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:10.20.3.4")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.21.0.1")));
    }

    [Theory]
    [InlineData("ftp://example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://example.com/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    [InlineData("http://user:secret@example.com/")]
    [InlineData("http:///nohost")]
    [InlineData("")]
    public void Only_absolute_http_urls_without_userinfo_have_an_acceptable_form(string url) =>
        Assert.NotNull(OutboundUrlPolicy.FormProblem(url, out _));

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://2130706433/")] // decimal
    [InlineData("http://0x7f000001/")] // hexadecimal
    [InlineData("http://017700000001/")] // octal
    [InlineData("http://127.1/")] // short form
    [InlineData("http://0/")]
    [InlineData("http://localhost:8080/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::ffff:7f00:1]/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[fd00:ec2::254]/")]
    public async Task Numeric_tricks_and_local_names_are_refused_after_resolution(string url)
    {
        Assert.Null(OutboundUrlPolicy.FormProblem(url, out var parsed));
        var (addresses, problem) = await Policy().ResolveAsync(parsed!, CancellationToken.None);
        Assert.NotNull(problem);
        Assert.Empty(addresses);
    }
}
