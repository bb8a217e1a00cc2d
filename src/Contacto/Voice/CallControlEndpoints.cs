using Contacto.Api;
using Contacto.Audit;
using Contacto.Media.Audio;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Speech;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Contacto.Voice;

/// <summary>
/// Plivo's controls of a live call: transfer it to new XML, play, speak and send digits into it,
/// record it. Each acts on the node that runs the call (elsewhere: 503 with Retry-After) and is
/// audited before it acts.
/// </summary>
internal static partial class CallControlEndpoints
{
    static readonly string[] Methods = ["GET", "POST"];
    static readonly string[] Legs = ["aleg", "bleg", "both"];

    public static void MapCallControls(this RouteGroupBuilder api)
    {
        api.MapPost("/Call/{call_uuid}/", Transfer);
        api.MapPost("/Call/{call_uuid}/Play/", Play);
        api.MapDelete("/Call/{call_uuid}/Play/", StopPlaying);
        api.MapPost("/Call/{call_uuid}/Speak/", Speak);
        api.MapDelete("/Call/{call_uuid}/Speak/", StopPlaying);
        api.MapPost("/Call/{call_uuid}/DTMF/", Digits);
        api.MapPost("/Call/{call_uuid}/Record/", Record);
        api.MapDelete("/Call/{call_uuid}/Record/", StopRecording);
    }

    /// <summary>The live call this node runs, after the audit record of what is done to it.</summary>
    static async Task<LiveCall> LiveAsync(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, string callUuid, string action)
    {
        if (!Guid.TryParse(callUuid, out var id)
            || !await db.Set<Call>().AnyAsync(c => c.Id == id && (c.State == CallStates.Ringing || c.State == CallStates.InProgress), context.RequestAborted))
            throw ApiException.NotFound();
        if (!live.TryGet(id, out var call) || call.Leg is null)
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "the call is not answered yet or runs on another node; try again", TimeSpan.FromSeconds(1));
        await audit.RecordAsync(caller.Entry(action, "call", id.ToString()), context.RequestAborted);
        return call;
    }

    /// <summary>Only the A leg exists until Dial lands.</summary>
    static void ALegOnly(ApiParameters parameters, string name)
    {
        if (parameters.Choice(name, Legs) is "bleg" or "both")
            throw ApiException.BadRequest($"{name}: this call has no B leg");
    }

    static IResult Accepted(HttpContext context, string message, Dictionary<string, object>? more = null)
    {
        var body = new Dictionary<string, object> { ["api_id"] = ApiResults.ApiId(context), ["message"] = message };
        foreach (var (key, value) in more ?? [])
            body[key] = value;
        return Results.Json(body, statusCode: StatusCodes.Status202Accepted);
    }

    static async Task<Uri> UrlAsync(ApiParameters parameters, string name, OutboundUrlPolicy policy, CancellationToken cancellationToken, bool required = true)
    {
        var url = parameters.String(name, 2048, required)!;
        return await policy.ProblemWhenSavedAsync(url, cancellationToken) is { } problem ? throw ApiException.BadRequest($"{name} {problem}") : new Uri(url);
    }

    static async Task<IResult> Transfer(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, OutboundUrlPolicy policy, string call_uuid)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ["legs", "aleg_url", "aleg_method", "bleg_url", "bleg_method"]);
        ALegOnly(parameters, "legs");
        if (parameters.Has("bleg_url"))
            throw ApiException.BadRequest("bleg_url: this call has no B leg");
        var url = await UrlAsync(parameters, "aleg_url", policy, context.RequestAborted);
        var method = parameters.Choice("aleg_method", Methods) ?? "POST";
        var call = await LiveAsync(context, caller, db, live, audit, call_uuid, AuditActions.CallTransferred);
        call.Transfer(url, method);
        return Accepted(context, "call transferred");
    }

    static async Task<IResult> Play(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, OutboundUrlPolicy policy,
        PromptFetcher prompts, ILoggerFactory loggers, string call_uuid)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ["urls", "length", "legs", "loop", "mix"]);
        ALegOnly(parameters, "legs");
        var urls = parameters.String("urls", 10 * 2048, required: true)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (urls.Length is 0 or > 10)
            throw ApiException.BadRequest("urls must hold 1 to 10 comma-separated URLs");
        foreach (var url in urls)
            if (await policy.ProblemWhenSavedAsync(url, context.RequestAborted) is { } problem)
                throw ApiException.BadRequest($"urls: {problem}");
        var loop = parameters.Bool("loop") == true;
        var length = parameters.Integer("length", 1, 86_400) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var call = await LiveAsync(context, caller, db, live, audit, call_uuid, AuditActions.CallPlayed);
        InBackground(call, loggers, async leg =>
        {
            using var limit = new CancellationTokenSource();
            if (length is { } stopAfter)
                limit.CancelAfter(stopAfter);
            foreach (var url in urls)
                await leg.PlayAsync(new PcmAudioSource(await prompts.FetchAsync(call.Call!.Call.AccountId, url, limit.Token), loop ? 0 : 1), limit.Token);
        });
        return Accepted(context, "play started");
    }

    static async Task<IResult> Speak(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit,
        ISpeechEngine speech, ILoggerFactory loggers, string call_uuid)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ["text", "voice", "language", "legs", "loop", "mix"]);
        ALegOnly(parameters, "legs");
        var request = new SpeechRequest(parameters.String("text", 3000, required: true)!, parameters.Choice("voice", ["WOMAN", "MAN"]) ?? "WOMAN",
            parameters.String("language", 16) ?? "en-US");
        var loop = parameters.Bool("loop") == true;
        var call = await LiveAsync(context, caller, db, live, audit, call_uuid, AuditActions.CallSpoken);
        InBackground(call, loggers, async leg => await leg.PlayAsync(new PcmAudioSource(await speech.SynthesizeAsync(request), loop ? 0 : 1)));
        return Accepted(context, "speak started");
    }

    static async Task<IResult> StopPlaying(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, string call_uuid)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var call = await LiveAsync(context, caller, db, live, audit, call_uuid, AuditActions.CallPlayStopped);
        call.Leg!.StopPlayback();
        return Results.NoContent();
    }

    static async Task<IResult> Digits(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, ILoggerFactory loggers, string call_uuid)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ["digits", "leg"]);
        ALegOnly(parameters, "leg");
        var digits = parameters.String("digits", 64, required: true)!;
        if (!digits.All(c => Contacto.Media.Dtmf.DtmfDigit.IsKey(c)))
            throw ApiException.BadRequest("digits may hold only 0-9, *, # and A-D");
        var call = await LiveAsync(context, caller, db, live, audit, call_uuid, AuditActions.CallDigitsSent);
        InBackground(call, loggers, leg => leg.SendDigitsAsync(digits));
        return Accepted(context, "digits sent");
    }

    static async Task<IResult> Record(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, OutboundUrlPolicy policy,
        CallRecordings recordings, ILoggerFactory loggers, string call_uuid)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request,
            ["time_limit", "file_format", "callback_url", "callback_method", "transcription_type", "transcription_url", "transcription_method"]);
        if (parameters.Has("transcription_type") || parameters.Has("transcription_url"))
            throw ApiException.BadRequest("transcription is not supported yet");
        parameters.Choice("file_format", ["mp3", "wav"]); // both are stored as WAV
        parameters.Choice("transcription_method", Methods);
        var limit = TimeSpan.FromSeconds(parameters.Integer("time_limit", 1, 14_400) ?? 60);
        var callback = parameters.Has("callback_url") ? await UrlAsync(parameters, "callback_url", policy, context.RequestAborted) : null;
        var callbackMethod = new HttpMethod(parameters.Choice("callback_method", Methods) ?? "POST");
        var call = await LiveAsync(context, caller, db, live, audit, call_uuid, AuditActions.CallRecordingStarted);
        var opened = call.Call!;
        var (id, recording, started) = recordings.Start(opened, call.Leg!, new RecordingOptions { Audio = RecordedAudio.Both, MaxDuration = limit });
        call.Recordings.Add(recording);
        var logger = loggers.CreateLogger(typeof(CallControlEndpoints));
        _ = Task.Run(async () =>
        {
            try
            {
                await recordings.FinishAsync(opened, id, await recording.Completion, started, callback, callbackMethod, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogRecordingNotListed(logger, opened.Call.Id, e.GetType().Name);
            }
        });
        return Accepted(context, "call recording started", new()
        {
            ["recording_id"] = id.ToString(),
            ["url"] = await recordings.UrlAsync(opened, id, context.RequestAborted),
        });
    }

    static async Task<IResult> StopRecording(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, string call_uuid)
    {
        await ApiParameters.ReadAsync(context.Request, ["URL"]);
        var call = await LiveAsync(context, caller, db, live, audit, call_uuid, AuditActions.CallRecordingStopped);
        foreach (var recording in call.Recordings)
            recording.Stop();
        return Results.NoContent();
    }

    /// <summary>Plays or sends into the call after the answer has gone: fetching a file or speech takes a while.</summary>
    static void InBackground(LiveCall call, ILoggerFactory loggers, Func<MediaSession, Task> action)
    {
        var logger = loggers.CreateLogger(typeof(CallControlEndpoints));
        _ = Task.Run(async () =>
        {
            try
            {
                await action(call.Leg!);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogControlFailed(logger, call.Call!.Call.Id, e.GetType().Name);
            }
        });
    }

    [LoggerMessage(EventId = 2131, Level = LogLevel.Warning, Message = "Call {CallId}: what the API asked to play or send failed ({Error})")]
    static partial void LogControlFailed(ILogger logger, Guid callId, string error);

    [LoggerMessage(EventId = 2130, Level = LogLevel.Error, Message = "Call {CallId}: a recording started through the API could not be listed ({Error})")]
    static partial void LogRecordingNotListed(ILogger logger, Guid callId, string error);
}
