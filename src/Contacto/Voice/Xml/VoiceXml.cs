using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Contacto.Messaging;
using Contacto.Numbers;
using Contacto.Webhooks;

namespace Contacto.Voice;

/// <summary>Why a call's Plivo XML cannot run: the element or attribute and the rule it breaks, never a value (values can be phone numbers).</summary>
internal sealed class VoiceXmlException(string message) : Exception(message);

/// <summary>
/// Reads a call's instructions in Plivo XML strictly, as Plivo does: the document as hostile
/// input (<see cref="PlivoXml"/>), then every element where it may stand, every attribute known
/// to its element or refused, every value checked and every default filled in. URLs must be
/// absolute http or https; whether one may be fetched is checked when it is. What the platform
/// does not do (conferences, multi-party calls, streams, transcription, speech) is refused by
/// name rather than run differently, except speech in <c>&lt;GetInput&gt;</c>, which Plivo answers
/// with an error of its own (<see cref="GetInputVerb.SpeechRequested"/>).
/// </summary>
internal static partial class VoiceXml
{
    public const int MaxVerbs = 500;

    public const int MaxDialTargets = 10;

    /// <summary>The most a duration in seconds may say where Plivo sets no bound: a day, longer than any call.</summary>
    const int MaxSeconds = 86_400;

    const int MaxLoop = 10_000;

    const string PhoneNumberRule = "a phone number in international (E.164) form";

    /// <summary>The keys a caller can press.</summary>
    const string PhoneKeys = "0123456789*#";

    static readonly string[] TopLevel = ["Speak", "Play", "GetDigits", "GetInput", "Record", "Dial", "Message", "Redirect", "Wait", "Hangup", "PreAnswer", "DTMF"];
    static readonly string[] Prompts = ["Speak", "Play", "Wait"];
    static readonly string[] EarlyMedia = ["Play", "Speak", "GetDigits", "Wait", "Redirect", "Message", "DTMF"];
    static readonly string[] NotSupported = ["Conference", "MultiPartyCall", "Stream"];

    /// <summary>The SSML a <c>&lt;Speak&gt;</c> may hold, with each element's attributes.</summary>
    static readonly Dictionary<string, string[]> Ssml = new()
    {
        ["break"] = ["strength", "time"],
        ["emphasis"] = ["level"],
        ["lang"] = ["xml:lang"],
        ["p"] = [],
        ["phoneme"] = ["alphabet", "ph"],
        ["prosody"] = ["pitch", "rate", "volume"],
        ["s"] = [],
        ["say-as"] = ["interpret-as", "format"],
        ["sub"] = ["alias"],
        ["w"] = ["role"],
    };

    /// <exception cref="VoiceXmlException">The document is not Plivo XML the platform can run.</exception>
    public static VoiceDocument Parse(string xml)
    {
        if (PlivoXml.ReadResponse(xml, out var response) is { } problem)
            throw new VoiceXmlException(problem);
        if (response!.Elements().Count() > MaxVerbs)
            throw new VoiceXmlException($"<Response> holds more than {MaxVerbs} verbs");
        return new VoiceDocument(Verbs(response, TopLevel));
    }

    static List<VoiceVerb> Verbs(XElement parent, string[] allowed)
    {
        RefuseText(parent);
        var verbs = new List<VoiceVerb>();
        foreach (var element in parent.Elements())
        {
            var name = NameOf(element);
            if (NotSupported.Contains(name))
                throw new VoiceXmlException($"<{name}> is not supported");
            if (!allowed.Contains(name))
                throw new VoiceXmlException(TopLevel.Contains(name) ? $"<{parent.Name.LocalName}> cannot hold <{name}>" : $"<{name}> is not a Plivo XML verb");
            verbs.Add(name switch
            {
                "Speak" => Speak(element),
                "Play" => Play(element),
                "Wait" => Wait(element),
                "GetDigits" => GetDigits(element),
                "GetInput" => GetInput(element),
                "Record" => Record(element),
                "Dial" => Dial(element),
                "Redirect" => Redirect(element),
                "Hangup" => Hangup(element),
                "PreAnswer" => PreAnswer(element),
                "DTMF" => Dtmf(element),
                "Message" => Message(element),
                _ => throw new UnreachableException(),
            });
        }
        return verbs;
    }

    static SpeakVerb Speak(XElement element)
    {
        var speak = new ElementReader(element, ["voice", "language", "loop"]);
        var voice = speak.Text("voice") switch
        {
            null or "WOMAN" => SpeakVoice.Woman,
            "MAN" => SpeakVoice.Man,
            { } other when other.StartsWith("Polly.", StringComparison.Ordinal) => throw speak.Invalid("voice", "names an Amazon Polly voice, which is not supported"),
            _ => throw speak.Invalid("voice", "must be WOMAN or MAN"),
        };
        var language = speak.Text("language") ?? "en-US";
        if (!LanguageTag().IsMatch(language))
            throw speak.Invalid("language", "must be a language tag such as en-US");
        var text = new StringBuilder();
        AppendSpoken(element, text);
        var spoken = Whitespace().Replace(text.ToString(), " ").Trim();
        return new SpeakVerb(spoken.Length > 0 ? spoken : throw new VoiceXmlException("<Speak> needs a text"), voice, language, speak.Int("loop", 1, 0, MaxLoop));
    }

    /// <summary>The text of a <c>&lt;Speak&gt;</c> and of its SSML, which is checked and then dropped: the engine speaks plain text.</summary>
    static void AppendSpoken(XElement element, StringBuilder text)
    {
        foreach (var node in element.Nodes())
        {
            if (node is XText part)
            {
                text.Append(part.Value);
                continue;
            }
            var child = (XElement)node;
            var name = NameOf(child);
            if (!Ssml.TryGetValue(name, out var attributes))
                throw new VoiceXmlException($"<Speak> holds text and SSML only, not <{name}>");
            _ = new ElementReader(child, attributes);
            // A space either side, so that sentences and paragraphs do not run together.
            text.Append(' ');
            AppendSpoken(child, text);
            text.Append(' ');
        }
    }

    static PlayVerb Play(XElement element)
    {
        var play = new ElementReader(element, ["loop"]);
        return new PlayVerb(play.BodyUrl(), play.Int("loop", 1, 0, MaxLoop));
    }

    static WaitVerb Wait(XElement element)
    {
        var wait = new ElementReader(element, ["length", "silence", "minSilence", "min_silence", "beep"]);
        wait.NoBody();
        return new WaitVerb(
            Length: wait.Seconds("length", 1, 1, MaxSeconds),
            Silence: wait.Bool("silence", false),
            MinSilence: TimeSpan.FromMilliseconds(wait.Int(wait.OneOf("minSilence", "min_silence"), 2_000, 1, MaxSeconds * 1_000)),
            Beep: wait.Bool("beep", false));
    }

    static GetDigitsVerb GetDigits(XElement element)
    {
        var get = new ElementReader(element,
            ["action", "method", "timeout", "digitTimeout", "finishOnKey", "numDigits", "retries", "invalidDigitsSound", "validDigits", "playBeep", "redirect", "log"]);
        return new GetDigitsVerb(
            Action: get.Url("action"),
            Method: get.Method("method"),
            Timeout: get.Seconds("timeout", 5, 1, MaxSeconds),
            DigitTimeout: get.Seconds("digitTimeout", 2, 1, MaxSeconds),
            FinishOnKey: get.Key("finishOnKey", '#'),
            NumDigits: get.Int("numDigits", 99, 1, 99),
            Retries: get.Int("retries", 1, 1, 100),
            InvalidDigitsSound: get.Url("invalidDigitsSound"),
            ValidDigits: get.Keys("validDigits", "1234567890*#", noneAllowed: false),
            PlayBeep: get.Bool("playBeep", false),
            Redirect: get.Bool("redirect", true),
            Log: get.Bool("log", true),
            Prompts: Verbs(element, Prompts));
    }

    static GetInputVerb GetInput(XElement element)
    {
        // Speech's own settings are known, so a document that names them is not refused, and unused: speech is not recognised.
        var get = new ElementReader(element,
            ["action", "method", "inputType", "executionTimeout", "digitEndTimeout", "speechEndTimeout", "finishOnKey", "numDigits", "speechModel", "hints",
             "language", "interimSpeechResultsCallback", "interimSpeechResultsCallbackMethod", "log", "redirect", "profanityFilter"]);
        return new GetInputVerb(
            Action: get.Url("action") ?? throw get.Missing("action"),
            Method: get.Method("method"),
            SpeechRequested: get.Choice("inputType", ("dtmf", false), ("speech", true), ("dtmf speech", true)) ?? throw get.Missing("inputType"),
            ExecutionTimeout: get.Seconds("executionTimeout", 15, 5, 60),
            DigitEndTimeout: get.Text("digitEndTimeout") == "auto" ? null : get.Seconds("digitEndTimeout", null, 2, 10),
            FinishOnKey: get.Key("finishOnKey", '#'),
            NumDigits: get.Int("numDigits", 32, 1, 32),
            Redirect: get.Bool("redirect", true),
            Log: get.Bool("log", true),
            Prompts: Verbs(element, Prompts));
    }

    static RecordVerb Record(XElement element)
    {
        var record = new ElementReader(element,
            ["action", "method", "fileFormat", "redirect", "timeout", "maxLength", "playBeep", "finishOnKey", "recordSession", "startOnDialAnswer",
             "recordChannelType", "callbackUrl", "callbackMethod"],
            unsupported: ["transcriptionType", "transcriptionUrl", "transcriptionMethod"]);
        record.NoBody();
        return new RecordVerb(
            Action: record.Url("action"),
            Method: record.Method("method"),
            FileFormat: record.Choice("fileFormat", ("mp3", RecordFileFormat.Mp3), ("wav", RecordFileFormat.Wav)) ?? RecordFileFormat.Mp3,
            Redirect: record.Bool("redirect", true),
            Timeout: record.Seconds("timeout", 15, 1, MaxSeconds),
            MaxLength: record.Seconds("maxLength", 60, 1, MaxSeconds),
            PlayBeep: record.Bool("playBeep", true),
            FinishOnKeys: record.Keys("finishOnKey", "#", noneAllowed: true),
            RecordSession: record.Bool("recordSession", false),
            StartOnDialAnswer: record.Bool("startOnDialAnswer", false),
            Channels: record.Choice("recordChannelType", ("stereo", RecordChannels.Stereo), ("mono", RecordChannels.Mono)),
            CallbackUrl: record.Url("callbackUrl"),
            CallbackMethod: record.Method("callbackMethod"));
    }

    static DialVerb Dial(XElement element)
    {
        var dial = new ElementReader(element,
            ["action", "method", "timeout", "timeLimit", "hangupOnStar", "callerId", "callerName", "confirmSound", "confirmKey", "confirmTimeout", "dialMusic",
             "redirect", "callbackUrl", "callbackMethod"],
            unsupported: ["digitsMatch", "digitsMatchBLeg", "sipHeaders"]);
        var realRingtone = dial.Text("dialMusic") == "real";
        return new DialVerb(
            Action: dial.Url("action"),
            Method: dial.Method("method"),
            Timeout: dial.Seconds("timeout", null, 1, MaxSeconds),
            TimeLimit: dial.Seconds("timeLimit", 14_400, 1, MaxSeconds),
            HangupOnStar: dial.Bool("hangupOnStar", false),
            CallerId: dial.CallerId(),
            CallerName: dial.CallerName(),
            ConfirmSound: dial.Url("confirmSound"),
            ConfirmKey: dial.Key("confirmKey", null),
            ConfirmTimeout: dial.Seconds("confirmTimeout", null, 1, MaxSeconds),
            DialMusic: realRingtone ? null : dial.Url("dialMusic"),
            RealRingtone: realRingtone,
            Redirect: dial.Bool("redirect", true),
            CallbackUrl: dial.Url("callbackUrl"),
            CallbackMethod: dial.Method("callbackMethod"),
            Targets: DialTargets(element));
    }

    static List<DialTarget> DialTargets(XElement dial)
    {
        RefuseText(dial);
        var targets = new List<DialTarget>();
        foreach (var element in dial.Elements())
        {
            var (kind, unsupported) = NameOf(element) switch
            {
                "Number" => (DialTargetKind.Number, "sendDigitsMode"),
                "User" => (DialTargetKind.User, "sipHeaders"),
                var other => throw new VoiceXmlException($"<Dial> holds only <Number> and <User>, not <{other}>"),
            };
            var target = new ElementReader(element, ["sendDigits", "sendOnPreanswer", "callerId", "callerName"], unsupported: [unsupported]);
            var text = target.Body("its address");
            var address = kind == DialTargetKind.Number
                ? E164.TryNormalize(text, out var number) ? number : throw new VoiceXmlException($"<Number> must hold {PhoneNumberRule}")
                : SipUri().IsMatch(text) ? text : throw new VoiceXmlException("<User> must hold a sip: URI");
            targets.Add(new DialTarget(kind, address, target.Digits("sendDigits"), target.Bool("sendOnPreanswer", false), target.CallerId(), target.CallerName()));
            if (targets.Count > MaxDialTargets)
                throw new VoiceXmlException($"<Dial> rings at most {MaxDialTargets} numbers and users");
        }
        return targets.Count > 0 ? targets : throw new VoiceXmlException("<Dial> needs a <Number> or a <User>");
    }

    static RedirectVerb Redirect(XElement element)
    {
        var redirect = new ElementReader(element, ["method"]);
        return new RedirectVerb(redirect.BodyUrl(), redirect.Method("method"));
    }

    static HangupVerb Hangup(XElement element)
    {
        var hangup = new ElementReader(element, ["reason", "schedule"]);
        hangup.NoBody();
        return new HangupVerb(hangup.Choice("reason", ("rejected", HangupReason.Rejected), ("busy", HangupReason.Busy)), hangup.Seconds("schedule", null, 1, MaxSeconds));
    }

    static PreAnswerVerb PreAnswer(XElement element)
    {
        _ = new ElementReader(element, []);
        return new PreAnswerVerb(Verbs(element, EarlyMedia));
    }

    static DtmfVerb Dtmf(XElement element)
    {
        var dtmf = new ElementReader(element, ["digits", "async"]);
        // The digits are the element's text, or (as some write it) its digits attribute.
        var digits = (dtmf.Body("its digits"), dtmf.Digits("digits")) switch
        {
            ({ Length: 0 }, null) => throw new VoiceXmlException("<DTMF> needs digits"),
            ({ Length: 0 }, { } attribute) => attribute,
            (var text, null) => DtmfDigits().IsMatch(text) ? text : throw new VoiceXmlException("<DTMF> must hold only 0-9, *, #, w and W"),
            _ => throw new VoiceXmlException("<DTMF> takes its digits as its text or as an attribute, not both"),
        };
        return new DtmfVerb(digits, dtmf.Bool("async", true));
    }

    /// <summary>Read as a message reply's <c>&lt;Message&gt;</c> is, then split and typed for the call.</summary>
    static MessageVerb Message(XElement element)
    {
        MessageReplyXml.Reply reply;
        try
        {
            reply = MessageReplyXml.Read(element);
        }
        catch (MessageReplyXml.InvalidException e)
        {
            throw new VoiceXmlException(e.Message);
        }
        var destinations = reply.Destinations.Split('<');
        if (destinations.Contains(""))
            throw new VoiceXmlException("<Message dst> has an empty number: numbers are joined by a single <");
        return new MessageVerb(reply.Source, destinations, reply.Text, Url(reply.CallbackUrl, "<Message callbackUrl>"), HttpMethod.Parse(reply.CallbackMethod));
    }

    static string NameOf(XElement element) =>
        element.Name.Namespace == XNamespace.None ? element.Name.LocalName : throw new VoiceXmlException($"<{element.Name.LocalName}> is in a namespace: Plivo XML uses none");

    static void RefuseText(XElement parent)
    {
        if (parent.Nodes().OfType<XText>().Any(text => !string.IsNullOrWhiteSpace(text.Value)))
            throw new VoiceXmlException($"<{parent.Name.LocalName}> holds elements only, no text");
    }

    static Uri? Url(string? text, string where) =>
        text is null ? null : OutboundUrlPolicy.FormProblem(text, out var url) is { } problem ? throw new VoiceXmlException($"{where} {problem}") : url;

    [GeneratedRegex("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("^[0-9*#wW]+$")]
    private static partial Regex DtmfDigits();

    [GeneratedRegex(@"^sip:[^\s@]+@[^\s@]+$", RegexOptions.IgnoreCase)]
    private static partial Regex SipUri();

    /// <summary>One element being read: attributes it does not know are refused before anything else, then each value is read by its rule.</summary>
    sealed class ElementReader
    {
        readonly XElement element;
        readonly string name;

        public ElementReader(XElement element, string[] known, string[]? unsupported = null)
        {
            this.element = element;
            name = element.Name.LocalName;
            foreach (var attribute in element.Attributes())
            {
                var shown = Shown(attribute);
                if (unsupported?.Contains(shown) == true)
                    throw Invalid(shown, "is not supported");
                if (!known.Contains(shown))
                    throw new VoiceXmlException($"<{name}> has no attribute {shown}");
            }
        }

        /// <summary>An attribute's name as written, with its prefix if it has one.</summary>
        static string Shown(XAttribute attribute) => attribute.Name.Namespace == XNamespace.None
            ? attribute.Name.LocalName
            : attribute.IsNamespaceDeclaration
                ? $"xmlns:{attribute.Name.LocalName}"
                : $"{attribute.Parent!.GetPrefixOfNamespace(attribute.Name.Namespace)}:{attribute.Name.LocalName}";

        public VoiceXmlException Invalid(string attribute, string rule) => new($"<{name} {attribute}> {rule}");

        public VoiceXmlException Missing(string attribute) => new($"<{name}> needs {attribute}");

        public string? Text(string attribute) => element.Attribute(attribute)?.Value;

        /// <summary>Which of two names for one attribute the element uses; not both.</summary>
        public string OneOf(string attribute, string alias) =>
            Text(alias) is null ? attribute : Text(attribute) is null ? alias : throw new VoiceXmlException($"<{name}> takes {attribute} or {alias}, not both");

        public bool Bool(string attribute, bool fallback) => Text(attribute) switch
        {
            null => fallback,
            "true" => true,
            "false" => false,
            _ => throw Invalid(attribute, "must be true or false"),
        };

        public int Int(string attribute, int fallback, int min, int max) => OptionalInt(attribute, min, max) ?? fallback;

        int? OptionalInt(string attribute, int min, int max) => Text(attribute) switch
        {
            null => null,
            var text when int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max => value,
            _ => throw Invalid(attribute, $"must be a whole number from {min} to {max}"),
        };

        public TimeSpan Seconds(string attribute, int fallback, int min, int max) => TimeSpan.FromSeconds(Int(attribute, fallback, min, max));

        /// <summary>A duration in whole seconds, or null when the attribute is absent and has no default.</summary>
        public TimeSpan? Seconds(string attribute, int? fallback, int min, int max) =>
            (OptionalInt(attribute, min, max) ?? fallback) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

        public T? Choice<T>(string attribute, params (string Text, T Value)[] choices) where T : struct => Text(attribute) switch
        {
            null => null,
            var text => choices.FirstOrDefault(c => c.Text == text) is { Text: not null } chosen
                ? chosen.Value
                : throw Invalid(attribute, $"must be {string.Join(" or ", choices.Select(c => c.Text))}"),
        };

        public HttpMethod Method(string attribute) => Text(attribute)?.ToUpperInvariant() switch
        {
            null or "POST" => HttpMethod.Post,
            "GET" => HttpMethod.Get,
            _ => throw Invalid(attribute, "must be GET or POST"),
        };

        public Uri? Url(string attribute) => VoiceXml.Url(Text(attribute), $"<{name} {attribute}>");

        /// <summary>One key the caller can press, or none (<c>""</c> or <c>none</c>).</summary>
        public char? Key(string attribute, char? fallback) => Text(attribute) switch
        {
            null => fallback,
            "" or "none" => null,
            [var key] when PhoneKeys.Contains(key) => key,
            _ => throw Invalid(attribute, "must be one of 0-9, * and #, or none"),
        };

        /// <summary>Keys the caller can press, each at most once.</summary>
        public string Keys(string attribute, string fallback, bool noneAllowed) => Text(attribute) switch
        {
            null => fallback,
            "" or "none" when noneAllowed => "",
            { Length: > 0 } keys when keys.All(PhoneKeys.Contains) && keys.Distinct().Count() == keys.Length => keys,
            _ => throw Invalid(attribute, $"must be some of 0-9, * and #, each once{(noneAllowed ? ", or none" : "")}"),
        };

        /// <summary>Keys to send into the call, with <c>w</c> and <c>W</c> for pauses.</summary>
        public string? Digits(string attribute) => Text(attribute) switch
        {
            null => null,
            var digits when DtmfDigits().IsMatch(digits) => digits,
            _ => throw Invalid(attribute, "must hold only 0-9, *, #, w and W"),
        };

        public string? CallerId() => Text("callerId") switch
        {
            null => null,
            var id when E164.TryNormalize(id, out var number) => number,
            _ => throw Invalid("callerId", $"must be {PhoneNumberRule}"),
        };

        /// <summary>A display name, which goes into a SIP header: so no control characters (a line break would start a header).</summary>
        public string? CallerName() => Text("callerName") switch
        {
            null => null,
            { Length: > 0 and <= 50 } caller when !caller.Any(char.IsControl) => caller,
            _ => throw Invalid("callerName", "must be 1 to 50 characters, none of them a control character"),
        };

        /// <summary>The element's text, trimmed; it holds no elements.</summary>
        public string Body(string what) =>
            element.HasElements ? throw new VoiceXmlException($"<{name}> holds only {what}, no elements") : element.Value.Trim();

        public Uri BodyUrl() =>
            VoiceXml.Url(Body("its URL") is { Length: > 0 } text ? text : throw new VoiceXmlException($"<{name}> needs a URL"), $"the URL of <{name}>")!;

        public void NoBody()
        {
            if (element.HasElements || !string.IsNullOrWhiteSpace(element.Value))
                throw new VoiceXmlException($"<{name}> holds nothing");
        }
    }
}
