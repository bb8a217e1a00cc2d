using System.Globalization;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Media;
using Contacto.Media.Audio;
using Contacto.Media.Dtmf;
using Contacto.Media.Engine;
using Contacto.Media.Speech;
using Contacto.Media.Recording;
using Contacto.Messaging;
using Contacto.Recordings;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Voice;

/// <summary>How a call's application ended it.</summary>
internal sealed record AppEnd(HangupCause Cause, string Source);

/// <summary>
/// Runs a customer's application on an answered call: fetches the answer URL (signed, retried,
/// then the fallback URL), reads the Plivo XML and runs its verbs in order, following redirects
/// and the answers of actions, within <see cref="CallOptions.MaxDocuments"/> documents. Every
/// problem with the customer's side (unreachable, not XML, invalid, unsupported) is logged
/// against the call, by id only, and ends the call cleanly.
/// </summary>
internal sealed partial class VoiceApp(
    WebhookClient client,
    MessageService messages,
    ContactoDbContextFactory contexts,
    CallRecordings recordings,
    SigningTokens tokens,
    PromptFetcher prompts,
    ISpeechEngine speech,
    IOptions<CallOptions> options,
    TimeProvider time,
    ILogger<VoiceApp> logger)
{
    /// <summary>What a verb asks for next: go on, run another document, or end the call.</summary>
    abstract record Step;
    sealed record Next : Step;
    sealed record Switch(VoiceDocument Document) : Step;
    sealed record Stop(AppEnd End) : Step;

    static readonly Next GoOn = new();

    /// <param name="hangUp">Cancelled when the call ends for another reason (far end, API, time limit): the app stops where it is.</param>
    /// <param name="control">Ends the call later, from outside the verbs (a scheduled Hangup); transfers it to new XML (the API).</param>
    public async Task<AppEnd> RunAsync(OpenedCall call, MediaSession leg, LiveCall control, CancellationToken hangUp)
    {
        var (token, mainToken) = await tokens.ForAsync(call.Call.AccountId, hangUp);
        var session = new Session(call, leg, token, mainToken, control.End);
        var document = await FetchAnswerAsync(session, hangUp);
        if (document.End is { } failed)
            return failed;
        for (var fetched = 1; ; fetched++)
        {
            Step step;
            using (var running = CancellationTokenSource.CreateLinkedTokenSource(hangUp, control.Transferring))
            {
                try
                {
                    step = await RunDocumentAsync(session, document.Document!, running.Token);
                }
                catch (OperationCanceledException) when (!hangUp.IsCancellationRequested && control.TakeTransfer() is { } transfer)
                {
                    // The API transferred the call: what plays stops, and the new URL's XML takes over.
                    leg.StopPlayback();
                    step = await FetchAsync(session, transfer.Url, new HttpMethod(transfer.Method), call.Parameters(CallStates.InProgress, "Transfer"), hangUp);
                }
            }
            switch (step)
            {
                case Stop stop:
                    return stop.End;
                case Switch next when fetched < options.Value.MaxDocuments:
                    document = (next.Document, null);
                    continue;
                case Switch:
                    LogDocumentLimit(call.Call.Id, options.Value.MaxDocuments);
                    return new AppEnd(HangupCause.RedirectLimit, HangupSources.Error);
                default:
                    return new AppEnd(HangupCause.EndOfXml, HangupSources.Plivo);
            }
        }
    }

    sealed record Session(OpenedCall Call, MediaSession Leg, string Token, string MainToken, Action<AppEnd> EndCall);

    async Task<Step> RunDocumentAsync(Session session, VoiceDocument document, CancellationToken hangUp)
    {
        foreach (var verb in document.Verbs)
        {
            var step = await RunAsync(session, verb, hangUp);
            if (step is not Next)
                return step;
        }
        return GoOn;
    }

    Task<Step> RunAsync(Session session, VoiceVerb verb, CancellationToken hangUp) => verb switch
    {
        SpeakVerb speak => SpeakAsync(session, speak, hangUp),
        PlayVerb play => PlayAsync(session, play, hangUp),
        WaitVerb wait => WaitAsync(wait.Length, hangUp),
        DtmfVerb dtmf => SendDigitsAsync(session, dtmf, hangUp),
        GetDigitsVerb digits => GetDigitsAsync(session, digits, hangUp),
        GetInputVerb { SpeechRequested: true } => Unsupported(session, "GetInput with speech input"),
        GetInputVerb input => GetInputAsync(session, input, hangUp),
        RedirectVerb redirect => FetchAsync(session, redirect.Url, redirect.Method, session.Call.Parameters(CallStates.InProgress, "Redirect"), hangUp),
        HangupVerb hangup => Task.FromResult(Hangup(session, hangup, hangUp)),
        // Early media comes before an answer; this call is answered already.
        PreAnswerVerb => Task.FromResult<Step>(GoOn),
        RecordVerb { RecordSession: true } or RecordVerb { StartOnDialAnswer: true } => Unsupported(session, "Record of the whole session"),
        RecordVerb record => RecordAsync(session, record, hangUp),
        DialVerb => Unsupported(session, "Dial"),
        MessageVerb message => SendMessageAsync(session, message, hangUp),
        _ => Unsupported(session, verb.GetType().Name),
    };

    Task<Step> Unsupported(Session session, string what)
    {
        LogUnsupported(session.Call.Call.Id, what);
        return Task.FromResult<Step>(new Stop(new AppEnd(HangupCause.UnsupportedXml, HangupSources.Error)));
    }

    /// <summary>An SMS from within the call, checked and sent as the Message API sends one; a refusal is logged and the call goes on.</summary>
    async Task<Step> SendMessageAsync(Session session, MessageVerb message, CancellationToken hangUp)
    {
        var call = session.Call.Call;
        var request = new SendRequest(message.Source, string.Join('<', message.Destinations), message.Text, message.CallbackUrl?.ToString(),
            message.CallbackMethod.Method, Log: true);
        var record = new AuditEntry(call.AccountId, AuditActor.System, AuditActions.MessageQueued, "message", null, Reason: $"<Message> of call {call.Id}");
        try
        {
            await using var db = contexts.CreateForAccount(call.AccountId);
            await messages.SendAsync(db, call.AccountId, request, record, requesterIp: null, hangUp);
        }
        catch (ApiException e)
        {
            LogMessageRefused(call.Id, e.Message);
        }
        return GoOn;
    }

    /// <summary>A short 1 kHz tone before a recording starts (Plivo's playBeep).</summary>
    static readonly PcmAudio Beep = new([.. Enumerable.Range(0, 8000 * 400 / 1000).Select(i => (short)(6000 * Math.Sin(2 * Math.PI * 1000 * i / 8000.0)))]);

    /// <summary>
    /// Records what the caller says, sealed chunk by chunk as it comes, until the maximum length,
    /// the silence timeout or a finishing key; then lists it, posts it to the action (whose XML
    /// takes over with redirect) and, when it has one, to the callback URL.
    /// </summary>
    async Task<Step> RecordAsync(Session session, RecordVerb verb, CancellationToken hangUp)
    {
        if (verb.PlayBeep)
            await session.Leg.PlayAsync(new PcmAudioSource(Beep), hangUp);
        var (id, recording, started) = recordings.Start(session.Call, session.Leg,
            new RecordingOptions { MaxDuration = verb.MaxLength, SilenceTimeout = verb.Timeout, FinishOnKeys = verb.FinishOnKeys });
        RecordingSummary summary;
        try
        {
            summary = await recording.Completion.WaitAsync(hangUp);
        }
        catch (OperationCanceledException)
        {
            // The call ends (or moves on) while it records: what was said is kept all the same.
            recording.Stop();
            await recordings.FinishAsync(session.Call, id, await recording.Completion, started, verb.CallbackUrl, verb.CallbackMethod, CancellationToken.None);
            throw;
        }
        var finished = await recordings.FinishAsync(session.Call, id, summary, started, verb.CallbackUrl, verb.CallbackMethod, hangUp);
        return await ActionAsync(session, verb.Action, verb.Method, verb.Redirect, finished.ActionFields(), hangUp);
    }

    async Task<Step> SpeakAsync(Session session, SpeakVerb speak, CancellationToken hangUp)
    {
        try
        {
            var audio = await speech.SynthesizeAsync(new SpeechRequest(speak.Text, speak.Voice == SpeakVoice.Man ? "MAN" : "WOMAN", speak.Language), hangUp);
            await session.Leg.PlayAsync(new PcmAudioSource(audio, speak.Loop), hangUp);
        }
        catch (MediaException e) when (e is SpeechUnavailableException or SpeechFailedException)
        {
            // A missing or failing speech engine costs the caller this sentence, not the call.
            LogSpeechFailed(session.Call.Call.Id, e.Message);
        }
        return GoOn;
    }

    async Task<Step> PlayAsync(Session session, PlayVerb play, CancellationToken hangUp)
    {
        try
        {
            var audio = await prompts.FetchAsync(session.Call.Call.AccountId, play.Url.ToString(), hangUp);
            await session.Leg.PlayAsync(new PcmAudioSource(audio, play.Loop), hangUp);
        }
        catch (PromptException e)
        {
            // As Plivo does: a file that cannot be played is skipped.
            LogPromptFailed(session.Call.Call.Id, e.Message);
        }
        return GoOn;
    }

    async Task<Step> WaitAsync(TimeSpan length, CancellationToken hangUp)
    {
        await Task.Delay(length, time, hangUp);
        return GoOn;
    }

    async Task<Step> SendDigitsAsync(Session session, DtmfVerb dtmf, CancellationToken hangUp)
    {
        var sending = SendWithPausesAsync(session.Leg, dtmf.Digits, hangUp);
        if (!dtmf.Async)
            await sending;
        return GoOn;
    }

    /// <summary><c>w</c> waits half a second and <c>W</c> a second between keys.</summary>
    async Task SendWithPausesAsync(MediaSession leg, string digits, CancellationToken hangUp)
    {
        foreach (var run in SplitPauses(digits))
        {
            if (run.Pause > TimeSpan.Zero)
                await Task.Delay(run.Pause, time, hangUp);
            else
                await leg.SendDigitsAsync(run.Keys, hangUp);
        }
    }

    static IEnumerable<(string Keys, TimeSpan Pause)> SplitPauses(string digits)
    {
        var keys = new System.Text.StringBuilder();
        foreach (var c in digits)
        {
            if (c is 'w' or 'W')
            {
                if (keys.Length > 0)
                    yield return (keys.ToString(), TimeSpan.Zero);
                keys.Clear();
                yield return ("", TimeSpan.FromMilliseconds(c == 'w' ? 500 : 1000));
            }
            else
            {
                keys.Append(c);
            }
        }
        if (keys.Length > 0)
            yield return (keys.ToString(), TimeSpan.Zero);
    }

    async Task<Step> GetDigitsAsync(Session session, GetDigitsVerb verb, CancellationToken hangUp)
    {
        for (var attempt = 0; attempt < Math.Max(1, verb.Retries); attempt++)
        {
            var digits = await CollectAsync(session, verb.Prompts, verb.Timeout, verb.DigitTimeout, verb.FinishOnKey, verb.NumDigits, hangUp);
            if (digits is null)
                return GoOn; // the call ended meanwhile: the next verb stops at once
            if (digits.Length > 0 && digits.All(verb.ValidDigits.Contains))
                return await ActionAsync(session, verb.Action, verb.Method, verb.Redirect, [new("Digits", digits)], hangUp);
            if (digits.Length > 0 && verb.InvalidDigitsSound is { } sound)
                await PlayAsync(session, new PlayVerb(sound, 1), hangUp);
        }
        return GoOn; // no valid input: the next verb runs, as Plivo does
    }

    async Task<Step> GetInputAsync(Session session, GetInputVerb verb, CancellationToken hangUp)
    {
        var digits = await CollectAsync(session, verb.Prompts, verb.ExecutionTimeout, verb.DigitEndTimeout ?? TimeSpan.FromSeconds(5),
            verb.FinishOnKey, verb.NumDigits, hangUp);
        if (string.IsNullOrEmpty(digits))
            return GoOn;
        return await ActionAsync(session, verb.Action, verb.Method, verb.Redirect, [new("InputType", "dtmf"), new("Digits", digits), new("Speech", "")], hangUp);
    }

    /// <summary>
    /// Plays the prompts and collects keys: the first within <paramref name="first"/> of the prompts'
    /// end, each next within <paramref name="between"/>; the first key stops the prompts. Ends at
    /// <paramref name="finishOnKey"/> (not included) or after <paramref name="count"/> keys.
    /// </summary>
    async Task<string?> CollectAsync(Session session, IReadOnlyList<VoiceVerb> promptVerbs, TimeSpan first, TimeSpan between, char? finishOnKey, int count, CancellationToken hangUp)
    {
        using var prompting = CancellationTokenSource.CreateLinkedTokenSource(hangUp);
        var prompts = PlayPromptsAsync(session, promptVerbs, prompting.Token);
        var keys = new System.Text.StringBuilder();
        try
        {
            while (keys.Length < count)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(hangUp);
                if (keys.Length > 0 || prompts.IsCompleted)
                    wait.CancelAfter(keys.Length == 0 ? first : between);
                var next = session.Leg.Digits.ReadAsync(wait.Token).AsTask();
                if (keys.Length == 0 && !prompts.IsCompleted && await Task.WhenAny(next, prompts) == prompts)
                {
                    // The prompts ended before a key: from now the first key has its own time.
                    wait.CancelAfter(first);
                }
                DtmfDigit digit;
                try
                {
                    digit = await next;
                }
                catch (OperationCanceledException) when (!hangUp.IsCancellationRequested)
                {
                    break; // no key in time: what was pressed is the input
                }
                if (keys.Length == 0)
                {
                    await prompting.CancelAsync();
                    session.Leg.StopPlayback();
                }
                if (digit.Digit == finishOnKey)
                    break;
                keys.Append(digit.Digit);
            }
        }
        catch (OperationCanceledException) when (hangUp.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            await prompting.CancelAsync();
            try
            {
                await prompts;
            }
            catch (OperationCanceledException)
            {
                // Stopped by the first key or the hangup, as meant.
            }
        }
        return keys.ToString();
    }

    async Task PlayPromptsAsync(Session session, IReadOnlyList<VoiceVerb> prompts, CancellationToken stop)
    {
        foreach (var prompt in prompts)
            await RunAsync(session, prompt, stop);
    }

    /// <summary>Posts an input's result to its action; with <paramref name="redirect"/> the call goes on with the XML the action answers.</summary>
    async Task<Step> ActionAsync(Session session, Uri? action, HttpMethod method, bool redirect, List<KeyValuePair<string, string>> extra, CancellationToken hangUp)
    {
        if (action is null)
            return GoOn;
        var fields = session.Call.Parameters(CallStates.InProgress, "Action");
        fields.AddRange(extra);
        if (redirect)
            return await FetchAsync(session, action, method, fields, hangUp);
        var result = await client.SendAsync(new Callback(action.ToString(), method.Method, fields, session.Token, session.MainToken), hangUp);
        if (result.Outcome != AttemptOutcome.Delivered)
            LogUrlFailed(session.Call.Call.Id, "action", result.Error ?? $"answered {result.Status}");
        return GoOn;
    }

    Step Hangup(Session session, HangupVerb hangup, CancellationToken hangUp)
    {
        var end = new AppEnd(HangupCause.NormalHangup, HangupSources.AnswerXml);
        if (hangup.Schedule is not { } later)
            return new Stop(end);
        // Later, without holding up the verbs after it.
        _ = Task.Delay(later, time, hangUp).ContinueWith(waited => { if (waited.IsCompletedSuccessfully) session.EndCall(end); }, TaskScheduler.Default);
        return GoOn;
    }

    async Task<Step> FetchAsync(Session session, Uri url, HttpMethod method, List<KeyValuePair<string, string>> fields, CancellationToken hangUp)
    {
        var (document, end) = await FetchDocumentAsync(session, url.ToString(), method.Method, fields, "redirect", 1, hangUp);
        return end is not null ? new Stop(end) : new Switch(document!);
    }

    /// <summary>The answer URL, tried <see cref="CallOptions.AnswerAttempts"/> times, then the fallback URL.</summary>
    async Task<(VoiceDocument? Document, AppEnd? End)> FetchAnswerAsync(Session session, CancellationToken hangUp)
    {
        var call = session.Call;
        var fields = call.Parameters(CallStates.InProgress, "StartApp");
        var answer = await FetchDocumentAsync(session, call.AnswerUrl, call.Call.AnswerMethod, fields, "answer", options.Value.AnswerAttempts, hangUp);
        if (answer.End is not { Cause.Code: var code } || code != HangupCause.AnswerUrlFailed.Code || call.FallbackUrl is not { } fallback)
            return answer;
        return await FetchDocumentAsync(session, fallback, call.Call.FallbackMethod, fields, "fallback", options.Value.AnswerAttempts, hangUp);
    }

    async Task<(VoiceDocument? Document, AppEnd? End)> FetchDocumentAsync(Session session, string url, string method,
        IReadOnlyList<KeyValuePair<string, string>> fields, string what, int attempts, CancellationToken hangUp)
    {
        var id = session.Call.Call.Id;
        AttemptResult result = null!;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            result = await client.SendAsync(new Callback(url, method, fields, session.Token, session.MainToken, ReadsReply: true), hangUp);
            if (result.Outcome != AttemptOutcome.Retry)
                break;
        }
        if (result.Outcome != AttemptOutcome.Delivered || result.Reply is not { TooLarge: false, Body: { } body })
        {
            LogUrlFailed(id, what, result.Reply is { TooLarge: true } ? $"the answer is larger than {WebhookClient.MaxReplyBytes} bytes"
                : result.Error ?? $"answered {result.Status?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}");
            return (null, new AppEnd(HangupCause.AnswerUrlFailed, HangupSources.Error));
        }
        try
        {
            return (VoiceXml.Parse(body), null);
        }
        catch (VoiceXmlException e)
        {
            LogInvalidXml(id, what, e.Message);
            return (null, new AppEnd(HangupCause.InvalidXml, HangupSources.Error));
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Call {CallId}: the {What} URL failed: {Problem}")]
    partial void LogUrlFailed(Guid callId, string what, string problem);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Call {CallId}: the {What} XML is invalid: {Problem}")]
    partial void LogInvalidXml(Guid callId, string what, string problem);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Call {CallId}: {What} is not supported yet; the call ends")]
    partial void LogUnsupported(Guid callId, string what);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Call {CallId}: speech failed, the sentence is skipped: {Problem}")]
    partial void LogSpeechFailed(Guid callId, string problem);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Call {CallId}: a prompt could not be played and is skipped: {Problem}")]
    partial void LogPromptFailed(Guid callId, string problem);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "Call {CallId}: its <Message> was refused and the call goes on: {Problem}")]
    partial void LogMessageRefused(Guid callId, string problem);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Warning, Message = "Call {CallId}: it fetched {Limit} documents, the most a call may; it ends")]
    partial void LogDocumentLimit(Guid callId, int limit);

}
