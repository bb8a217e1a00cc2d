using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Messaging;

namespace Contacto.Tests.Api;

/// <summary>The official Plivo Node SDK, unchanged, sending, reading and listing messages and managing numbers.</summary>
public sealed class PlivoSdkMessageTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task The_official_SDK_sends_gets_and_lists_messages_and_manages_numbers(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server, "SDK sender");
        var (src, dst1, dst2) = (MessagingHarness.Sender.TrimStart('+'), MessagingHarness.Destination(1).TrimStart('+'), MessagingHarness.Destination(2).TrimStart('+'));

        var result = await NodeSdk.RunAsync("messages.js", server, sender.AuthId, sender.Token,
            new Dictionary<string, string> { ["SRC"] = src, ["DST1"] = dst1, ["DST2"] = dst2 });

        var send = result.GetProperty("send");
        Assert.Equal("message(s) queued", send.Str("message"));
        Assert.Equal(2, send.GetProperty("uuids").GetArrayLength());
        Assert.Equal(["123"], send.GetProperty("invalid").EnumerateArray().Select(e => e.GetString()));
        var got = result.GetProperty("get");
        Assert.Equal("delivered", got.Str("state"));
        Assert.Equal(src, got.Str("from"));
        Assert.Equal(dst1, got.Str("to"));
        Assert.Equal(1, got.GetProperty("units").GetInt32());
        Assert.Equal("000", got.Str("errorCode"));
        Assert.Equal("outbound", got.Str("direction"));
        Assert.Equal(1, result.GetProperty("list").GetProperty("count").GetInt32());
        Assert.True(result.GetProperty("list").GetProperty("totalCount").GetInt32() >= 1);
        Assert.Equal(400, result.GetProperty("mms").GetProperty("status").GetInt32());
        Assert.Contains("type mms is not supported", result.GetProperty("mms").Str("message"));

        Assert.Equal(src, result.GetProperty("numbers").Str("first"));
        Assert.Equal("changed", result.GetProperty("numberUpdate").Str("message"));
        Assert.Equal("SDK line", result.GetProperty("number").Str("alias"));
        var ofSubaccount = result.GetProperty("subaccountNumbers");
        Assert.Equal(1, ofSubaccount.GetProperty("count").GetInt32());
        Assert.Equal(ofSubaccount.Str("subId"), ofSubaccount.Str("subAccount"));
        Assert.Equal(0, result.GetProperty("renewingIn2000").GetInt32());
        Assert.True(result.GetProperty("unrented").GetBoolean());
        Assert.Equal(404, result.GetProperty("afterUnrent").GetProperty("status").GetInt32());
    }
}
