using System.Net;
using Microsoft.Extensions.Options;

namespace Contacto.Voice;

/// <summary>How this node runs calls: the section <c>Voice:Calls</c>.</summary>
internal sealed class CallOptions
{
    public const string Section = "Voice:Calls";

    /// <summary>Calls this node runs at once; queued calls beyond wait for a place.</summary>
    public int MaxConcurrentCalls { get; set; } = 500;

    /// <summary>
    /// How long a node's hold on a call lasts without renewal. A node renews its calls' holds while
    /// they are up; a live call whose hold ran out is over (its node died) and is closed in its CDR.
    /// </summary>
    public int LeaseSeconds { get; set; } = 6;

    /// <summary>How often the engine looks for calls queued by other nodes or left by a dead one.</summary>
    public int PollMilliseconds { get; set; } = 250;

    /// <summary>Documents (the answer and each redirect or action answer) one call may fetch: ends redirect loops.</summary>
    public int MaxDocuments { get; set; } = 50;

    /// <summary>Attempts at an answer URL before the fallback URL is tried (Plivo: 3).</summary>
    public int AnswerAttempts { get; set; } = 3;
}

/// <summary>Where calls' media flows: the section <c>Voice:Media</c>.</summary>
internal sealed class VoiceMediaOptions
{
    public const string Section = "Voice:Media";

    /// <summary>The address RTP sockets bind to.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>The address SDP gives peers for media; by default the SIP advertised host when it is an address, else loopback.</summary>
    public string? AdvertisedAddress { get; set; }

    public int MinPort { get; set; } = 16384;
    public int MaxPort { get; set; } = 32767;
}

sealed class VoiceOptionsValidator : IValidateOptions<CallOptions>, IValidateOptions<VoiceMediaOptions>
{
    public ValidateOptionsResult Validate(string? name, CallOptions options)
    {
        var problems = new List<string>();
        if (options.MaxConcurrentCalls is < 1 or > 100_000)
            problems.Add("Voice:Calls:MaxConcurrentCalls must be from 1 to 100000");
        if (options.LeaseSeconds is < 2 or > 600)
            problems.Add("Voice:Calls:LeaseSeconds must be from 2 to 600");
        if (options.PollMilliseconds is < 10 or > 60_000)
            problems.Add("Voice:Calls:PollMilliseconds must be from 10 to 60000");
        if (options.MaxDocuments is < 1 or > 1000 || options.AnswerAttempts is < 1 or > 10)
            problems.Add("Voice:Calls:MaxDocuments must be from 1 to 1000 and AnswerAttempts from 1 to 10");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public ValidateOptionsResult Validate(string? name, VoiceMediaOptions options)
    {
        var problems = new List<string>();
        if (!IPAddress.TryParse(options.BindAddress, out _))
            problems.Add("Voice:Media:BindAddress must be an IP address");
        if (options.AdvertisedAddress is { } advertised && !IPAddress.TryParse(advertised, out _))
            problems.Add("Voice:Media:AdvertisedAddress must be an IP address");
        if (options.MinPort is < 1024 or > 65534 || options.MaxPort <= options.MinPort || options.MaxPort > 65535)
            problems.Add("Voice:Media:MinPort and MaxPort must be a range within 1024-65535");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
