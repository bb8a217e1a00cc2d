namespace Contacto.Voice;

/// <summary>A call's instructions in Plivo XML, read and checked (<see cref="VoiceXml.Parse"/>): its verbs, run in order.</summary>
internal sealed record VoiceDocument(IReadOnlyList<VoiceVerb> Verbs);

/// <summary>One element of a call's instructions, with every attribute read and its default filled in.</summary>
internal abstract record VoiceVerb;

internal enum SpeakVoice { Woman, Man }

/// <summary>
/// <c>&lt;Speak&gt;</c>: text said to the caller; SSML inside it is kept for its text only.
/// <see cref="Loop"/> 0 repeats it until the call moves on.
/// </summary>
internal sealed record SpeakVerb(string Text, SpeakVoice Voice, string Language, int Loop) : VoiceVerb;

/// <summary><c>&lt;Play&gt;</c>: an audio file played to the caller; <see cref="Loop"/> 0 repeats it until the call moves on.</summary>
internal sealed record PlayVerb(Uri Url, int Loop) : VoiceVerb;

/// <summary><c>&lt;Wait&gt;</c>: a pause, or with <see cref="Silence"/> until the caller is quiet for <see cref="MinSilence"/> (at most <see cref="Length"/>).</summary>
internal sealed record WaitVerb(TimeSpan Length, bool Silence, TimeSpan MinSilence, bool Beep) : VoiceVerb;

/// <summary><c>&lt;GetDigits&gt;</c>: keys pressed while (or after) its prompts play, sent to <see cref="Action"/>.</summary>
internal sealed record GetDigitsVerb(
    Uri? Action,
    HttpMethod Method,
    TimeSpan Timeout,
    TimeSpan DigitTimeout,
    char? FinishOnKey,
    int NumDigits,
    int Retries,
    Uri? InvalidDigitsSound,
    string ValidDigits,
    bool PlayBeep,
    bool Redirect,
    bool Log,
    IReadOnlyList<VoiceVerb> Prompts) : VoiceVerb;

/// <summary>
/// <c>&lt;GetInput&gt;</c>: like <see cref="GetDigitsVerb"/>. Speech is not recognised here:
/// <see cref="SpeechRequested"/> marks a document that asks for it, so that the call can answer
/// with the documented error; its speech settings are checked and otherwise ignored.
/// <see cref="DigitEndTimeout"/> is null for <c>auto</c>.
/// </summary>
internal sealed record GetInputVerb(
    Uri Action,
    HttpMethod Method,
    bool SpeechRequested,
    TimeSpan ExecutionTimeout,
    TimeSpan? DigitEndTimeout,
    char? FinishOnKey,
    int NumDigits,
    bool Redirect,
    bool Log,
    IReadOnlyList<VoiceVerb> Prompts) : VoiceVerb;

internal enum RecordFileFormat { Mp3, Wav }

internal enum RecordChannels { Stereo, Mono }

/// <summary>
/// <c>&lt;Record&gt;</c>: records the caller (or with <see cref="RecordSession"/> the whole call in
/// the background). Any of <see cref="FinishOnKeys"/> ends it (none when empty);
/// <see cref="Channels"/> is null when the document leaves it to the platform.
/// </summary>
internal sealed record RecordVerb(
    Uri? Action,
    HttpMethod Method,
    RecordFileFormat FileFormat,
    bool Redirect,
    TimeSpan Timeout,
    TimeSpan MaxLength,
    bool PlayBeep,
    string FinishOnKeys,
    bool RecordSession,
    bool StartOnDialAnswer,
    RecordChannels? Channels,
    Uri? CallbackUrl,
    HttpMethod CallbackMethod) : VoiceVerb;

internal enum DialTargetKind { Number, User }

/// <summary>
/// One party <c>&lt;Dial&gt;</c> rings: a number, or a SIP user (<c>sip:</c> URI); its own caller id
/// and name override the dial's. Numbers, caller ids among them, are in E.164 form with their <c>+</c>.
/// </summary>
internal sealed record DialTarget(DialTargetKind Kind, string Address, string? SendDigits, bool SendOnPreanswer, string? CallerId, string? CallerName);

/// <summary>
/// <c>&lt;Dial&gt;</c>: rings its targets at once and bridges the first to answer. No
/// <see cref="Timeout"/> rings until the carrier gives up; <see cref="DialMusic"/> names XML of
/// Play and Wait to run while ringing, and <see cref="RealRingtone"/> (<c>dialMusic="real"</c>)
/// lets the caller hear the real ringing instead.
/// </summary>
internal sealed record DialVerb(
    Uri? Action,
    HttpMethod Method,
    TimeSpan? Timeout,
    TimeSpan TimeLimit,
    bool HangupOnStar,
    string? CallerId,
    string? CallerName,
    Uri? ConfirmSound,
    char? ConfirmKey,
    TimeSpan? ConfirmTimeout,
    Uri? DialMusic,
    bool RealRingtone,
    bool Redirect,
    Uri? CallbackUrl,
    HttpMethod CallbackMethod,
    IReadOnlyList<DialTarget> Targets) : VoiceVerb;

/// <summary><c>&lt;Redirect&gt;</c>: the call goes on with the XML fetched from <see cref="Url"/>.</summary>
internal sealed record RedirectVerb(Uri Url, HttpMethod Method) : VoiceVerb;

internal enum HangupReason { Rejected, Busy }

/// <summary><c>&lt;Hangup&gt;</c>: now, or with <see cref="Schedule"/> that long from now without holding up the verbs after it.</summary>
internal sealed record HangupVerb(HangupReason? Reason, TimeSpan? Schedule) : VoiceVerb;

/// <summary><c>&lt;PreAnswer&gt;</c>: verbs run before the call is answered (early media).</summary>
internal sealed record PreAnswerVerb(IReadOnlyList<VoiceVerb> Verbs) : VoiceVerb;

/// <summary><c>&lt;DTMF&gt;</c>: keys sent into the call (<c>w</c> waits half a second, <c>W</c> a second).</summary>
internal sealed record DtmfVerb(string Digits, bool Async) : VoiceVerb;

/// <summary><c>&lt;Message&gt;</c>: an SMS sent from within the call.</summary>
internal sealed record MessageVerb(string Source, IReadOnlyList<string> Destinations, string Text, Uri? CallbackUrl, HttpMethod CallbackMethod) : VoiceVerb;
