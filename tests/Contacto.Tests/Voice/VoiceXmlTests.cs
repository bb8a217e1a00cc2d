using System.Text;
using Contacto.Tests.Webhooks;
using Contacto.Voice;
using Contacto.Webhooks;
using CsCheck;

namespace Contacto.Tests.Voice;

/// <summary>Reading a call's instructions in Plivo XML into verbs, strictly.</summary>
public sealed class VoiceXmlTests
{
    static readonly HttpMethod Post = HttpMethod.Post, Get = HttpMethod.Get;

    static Uri U(string url) => new(url);

    static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    static VoiceVerb Only(string verb) => Assert.Single(VoiceXml.Parse($"<Response>{verb}</Response>").Verbs);

    /// <summary>The Plivo SDK's own output (section 5 of the reference), less its <c>&lt;Conference&gt;</c>.</summary>
    const string SdkOutput =
        "<Response><Speak voice=\"WOMAN\" language=\"en-US\" loop=\"1\">Hello \"world\" &amp; &lt;you&gt;</Speak><Play loop=\"2\">https://s3.amazonaws.com/x.mp3</Play>" +
        "<GetInput action=\"https://ex.com/gi/\" method=\"POST\" inputType=\"dtmf speech\" digitEndTimeout=\"5\" redirect=\"true\"><Speak>Press 1</Speak></GetInput>" +
        "<GetDigits action=\"https://ex.com/gd\" numDigits=\"4\" finishOnKey=\"#\"><Play>https://ex.com/a.mp3</Play></GetDigits>" +
        "<Record action=\"https://ex.com/rec\" maxLength=\"30\" fileFormat=\"mp3\" playBeep=\"true\"/>" +
        "<Dial callerId=\"14155551234\" action=\"https://ex.com/dial\"><Number sendDigits=\"wwww2410\">15671234567</Number><User>sip:john1234@phone.plivo.com</User></Dial>" +
        "<Wait length=\"3\"/><PreAnswer/><DTMF async=\"true\">12345</DTMF><Redirect method=\"GET\">https://ex.com/redir</Redirect><Hangup reason=\"rejected\" schedule=\"60\"/></Response>";

    [Fact]
    public void The_SDKs_output_is_read_into_the_verbs_it_says()
    {
        var document = VoiceXml.Parse(SdkOutput);

        Assert.Equivalent(new VoiceVerb[]
        {
            new SpeakVerb("Hello \"world\" & <you>", SpeakVoice.Woman, "en-US", 1),
            new PlayVerb(U("https://s3.amazonaws.com/x.mp3"), 2),
            new GetInputVerb(U("https://ex.com/gi/"), Post, SpeechRequested: true, S(15), S(5), '#', 32, Redirect: true, Log: true,
                [new SpeakVerb("Press 1", SpeakVoice.Woman, "en-US", 1)]),
            new GetDigitsVerb(U("https://ex.com/gd"), Post, S(5), S(2), '#', 4, 1, null, "1234567890*#", PlayBeep: false, Redirect: true, Log: true,
                [new PlayVerb(U("https://ex.com/a.mp3"), 1)]),
            new RecordVerb(U("https://ex.com/rec"), Post, RecordFileFormat.Mp3, Redirect: true, S(15), S(30), PlayBeep: true, "#", RecordSession: false,
                StartOnDialAnswer: false, Channels: null, CallbackUrl: null, Post),
            new DialVerb(U("https://ex.com/dial"), Post, Timeout: null, S(14_400), HangupOnStar: false, "+14155551234", CallerName: null, ConfirmSound: null,
                ConfirmKey: null, ConfirmTimeout: null, DialMusic: null, RealRingtone: false, Redirect: true, CallbackUrl: null, Post,
                [
                    new DialTarget(DialTargetKind.Number, "+15671234567", "wwww2410", false, null, null),
                    new DialTarget(DialTargetKind.User, "sip:john1234@phone.plivo.com", null, false, null, null),
                ]),
            new WaitVerb(S(3), Silence: false, TimeSpan.FromMilliseconds(2_000), Beep: false),
            new PreAnswerVerb([]),
            new DtmfVerb("12345", Async: true),
            new RedirectVerb(U("https://ex.com/redir"), Get),
            new HangupVerb(HangupReason.Rejected, S(60)),
        }, document.Verbs, strict: true);
    }

    /// <summary>Each verb with nothing but what it needs, and what it reads as (keyed by the XML: a theory's parameters must be public types).</summary>
    static readonly Dictionary<string, VoiceVerb> Defaults = new()
    {
        { "<Speak>Hi</Speak>", new SpeakVerb("Hi", SpeakVoice.Woman, "en-US", 1) },
        { "<Play>https://a.example/x.mp3</Play>", new PlayVerb(U("https://a.example/x.mp3"), 1) },
        { "<Wait/>", new WaitVerb(S(1), false, TimeSpan.FromMilliseconds(2_000), false) },
        { "<GetDigits/>", new GetDigitsVerb(null, Post, S(5), S(2), '#', 99, 1, null, "1234567890*#", false, true, true, []) },
        { "<GetInput action=\"https://a.example/g\" inputType=\"dtmf\"/>", new GetInputVerb(U("https://a.example/g"), Post, false, S(15), null, '#', 32, true, true, []) },
        { "<Record/>", new RecordVerb(null, Post, RecordFileFormat.Mp3, true, S(15), S(60), true, "#", false, false, null, null, Post) },
        {
            "<Dial><Number>14155550100</Number></Dial>",
            new DialVerb(null, Post, null, S(14_400), false, null, null, null, null, null, null, false, true, null, Post,
                [new DialTarget(DialTargetKind.Number, "+14155550100", null, false, null, null)])
        },
        { "<Redirect>https://a.example/next</Redirect>", new RedirectVerb(U("https://a.example/next"), Post) },
        { "<Hangup/>", new HangupVerb(null, null) },
        { "<DTMF>1w2</DTMF>", new DtmfVerb("1w2", true) },
        { "<Message src=\"14155550100\" dst=\"14155550101\">Hi</Message>", new MessageVerb("14155550100", ["14155550101"], "Hi", null, Post) },
    };

    public static TheoryData<string> MinimalVerbs => new(Defaults.Keys);

    [Theory]
    [MemberData(nameof(MinimalVerbs))]
    public void What_a_verb_leaves_out_takes_Plivos_default(string verb) => Assert.Equivalent(Defaults[verb], Only(verb), strict: true);

    [Fact]
    public void Every_attribute_is_read_into_its_field()
    {
        var document = VoiceXml.Parse(
            """
            <Response>
              <PreAnswer>
                <Speak voice="MAN" language="fr-FR" loop="0">Bonjour</Speak>
                <Message src="14155550100" dst="14155550101&lt;14155550102" type="sms" callbackUrl="https://cb.example/m" callbackMethod="GET">Hi</Message>
                <DTMF digits="1#" async="false"/>
              </PreAnswer>
              <Wait length="10" silence="true" minSilence="500" beep="true"/>
              <Wait min_silence="300"/>
              <GetDigits action="https://a.example/gd" method="GET" timeout="7" digitTimeout="3" finishOnKey="none" numDigits="12" retries="3"
                         invalidDigitsSound="https://a.example/bad.mp3" validDigits="12*" playBeep="true" redirect="false" log="false">
                <Wait/>
              </GetDigits>
              <GetInput action="https://a.example/gi" method="GET" inputType="speech" executionTimeout="60" digitEndTimeout="auto" speechEndTimeout="3"
                        finishOnKey="*" numDigits="5" speechModel="default" hints="yes,no" language="en-GB" interimSpeechResultsCallback="https://a.example/i"
                        interimSpeechResultsCallbackMethod="GET" log="false" redirect="false" profanityFilter="true"/>
              <Record action="https://a.example/r" method="GET" fileFormat="wav" redirect="false" timeout="5" maxLength="600" playBeep="false" finishOnKey=""
                      recordSession="true" startOnDialAnswer="true" recordChannelType="mono" callbackUrl="https://a.example/rc" callbackMethod="GET"/>
              <Dial action="https://a.example/d" method="GET" timeout="20" timeLimit="60" hangupOnStar="true" callerId="+14155550100" callerName="Front desk"
                    confirmSound="https://a.example/c.xml" confirmKey="5" confirmTimeout="9" dialMusic="real" redirect="false" callbackUrl="https://a.example/dc"
                    callbackMethod="GET">
                <Number sendDigits="1w#" sendOnPreanswer="true" callerId="14155550109" callerName="Sales">+14155550103</Number>
                <User callerName="Desk">sip:desk@pbx.example</User>
              </Dial>
              <Dial dialMusic="https://a.example/music.xml"><User>sip:a@b</User></Dial>
              <Hangup reason="busy"/>
            </Response>
            """);

        Assert.Equivalent(new VoiceVerb[]
        {
            new PreAnswerVerb(
            [
                new SpeakVerb("Bonjour", SpeakVoice.Man, "fr-FR", 0),
                new MessageVerb("14155550100", ["14155550101", "14155550102"], "Hi", U("https://cb.example/m"), Get),
                new DtmfVerb("1#", false),
            ]),
            new WaitVerb(S(10), true, TimeSpan.FromMilliseconds(500), true),
            new WaitVerb(S(1), false, TimeSpan.FromMilliseconds(300), false),
            new GetDigitsVerb(U("https://a.example/gd"), Get, S(7), S(3), null, 12, 3, U("https://a.example/bad.mp3"), "12*", true, false, false,
                [new WaitVerb(S(1), false, TimeSpan.FromMilliseconds(2_000), false)]),
            new GetInputVerb(U("https://a.example/gi"), Get, true, S(60), null, '*', 5, false, false, []),
            new RecordVerb(U("https://a.example/r"), Get, RecordFileFormat.Wav, false, S(5), S(600), false, "", true, true, RecordChannels.Mono,
                U("https://a.example/rc"), Get),
            new DialVerb(U("https://a.example/d"), Get, S(20), S(60), true, "+14155550100", "Front desk", U("https://a.example/c.xml"), '5', S(9), null, true, false,
                U("https://a.example/dc"), Get,
                [
                    new DialTarget(DialTargetKind.Number, "+14155550103", "1w#", true, "+14155550109", "Sales"),
                    new DialTarget(DialTargetKind.User, "sip:desk@pbx.example", null, false, null, "Desk"),
                ]),
            new DialVerb(null, Post, null, S(14_400), false, null, null, null, null, null, U("https://a.example/music.xml"), false, true, null, Post,
                [new DialTarget(DialTargetKind.User, "sip:a@b", null, false, null, null)]),
            new HangupVerb(HangupReason.Busy, null),
        }, document.Verbs, strict: true);
    }

    [Fact]
    public void SSML_in_Speak_is_checked_and_its_text_kept()
    {
        var speak = Only(
            """
            <Speak>
              <p><s>Your code is <say-as interpret-as="digits" format="x">1234</say-as>.</s><s>Goodbye<break time="1s" strength="weak"/>now</s></p>
              <prosody rate="slow" pitch="low" volume="loud"><emphasis level="strong">Bye</emphasis></prosody><lang xml:lang="fr-FR">Salut</lang>
              <phoneme alphabet="ipa" ph="x">tomato</phoneme><sub alias="World Wide Web">WWW</sub><w role="x">read</w>
            </Speak>
            """);

        Assert.Equal("Your code is 1234 . Goodbye now Bye Salut tomato WWW read", Assert.IsType<SpeakVerb>(speak).Text);
    }

    [Theory]
    // The document as a whole.
    [InlineData("<Reply/>", "the root element must be <Response>")]
    [InlineData("<Response loop=\"1\"/>", "the root element must be <Response>")]
    [InlineData("<Response>hello</Response>", "<Response> holds elements only, no text")]
    [InlineData("<Response><Speak>a</Speak>", "not well-formed or not allowed")]
    [InlineData("<Response><Play>https://a.example/x.mp3</Play><Foo/></Response>", "<Foo> is not a Plivo XML verb")]
    [InlineData("<Response><speak>a</speak></Response>", "<speak> is not a Plivo XML verb")]
    [InlineData("<Response><Number>1</Number></Response>", "<Number> is not a Plivo XML verb")]
    [InlineData("<Response xmlns:p=\"urn:p\"><p:Speak>a</p:Speak></Response>", "the root element must be <Response>")]
    [InlineData("<Response><Speak xmlns=\"urn:p\">a</Speak></Response>", "<Speak> is in a namespace")]
    [InlineData("<Response><Speak xmlns:p=\"urn:p\">a</Speak></Response>", "<Speak> has no attribute xmlns:p")]
    [InlineData("<Response><Conference>Room</Conference></Response>", "<Conference> is not supported")]
    [InlineData("<Response><MultiPartyCall role=\"agent\">x</MultiPartyCall></Response>", "<MultiPartyCall> is not supported")]
    [InlineData("<Response><Stream>wss://a.example/s</Stream></Response>", "<Stream> is not supported")]
    // Attributes and values every verb shares.
    [InlineData("<Response><Play volume=\"2\">https://a.example/x.mp3</Play></Response>", "<Play> has no attribute volume")]
    [InlineData("<Response><Play loop=\"-1\">https://a.example/x.mp3</Play></Response>", "<Play loop> must be a whole number from 0 to 10000")]
    [InlineData("<Response><Play loop=\"1.5\">https://a.example/x.mp3</Play></Response>", "<Play loop> must be a whole number")]
    [InlineData("<Response><Play loop=\"99999999999\">https://a.example/x.mp3</Play></Response>", "<Play loop> must be a whole number")]
    [InlineData("<Response><Play loop=\" 1\">https://a.example/x.mp3</Play></Response>", "<Play loop> must be a whole number")]
    [InlineData("<Response><Play>ftp://a.example/x.mp3</Play></Response>", "the URL of <Play> must be an absolute http or https URL")]
    [InlineData("<Response><Play>/x.mp3</Play></Response>", "the URL of <Play> must be an absolute http or https URL")]
    [InlineData("<Response><Play>https://user:pw@a.example/x.mp3</Play></Response>", "the URL of <Play> must not carry a user name or password")]
    [InlineData("<Response><Play> </Play></Response>", "<Play> needs a URL")]
    [InlineData("<Response><Play><Speak>a</Speak></Play></Response>", "<Play> holds only its URL, no elements")]
    [InlineData("<Response><Redirect method=\"PUT\">https://a.example/n</Redirect></Response>", "<Redirect method> must be GET or POST")]
    [InlineData("<Response><Redirect/></Response>", "<Redirect> needs a URL")]
    [InlineData("<Response><GetDigits redirect=\"yes\"/></Response>", "<GetDigits redirect> must be true or false")]
    [InlineData("<Response><GetDigits log=\"True\"/></Response>", "<GetDigits log> must be true or false")]
    [InlineData("<Response><GetDigits action=\"x\"/></Response>", "<GetDigits action> must be an absolute http or https URL")]
    // Speak.
    [InlineData("<Response><Speak voice=\"Polly.Joanna\">a</Speak></Response>", "<Speak voice> names an Amazon Polly voice, which is not supported")]
    [InlineData("<Response><Speak voice=\"woman\">a</Speak></Response>", "<Speak voice> must be WOMAN or MAN")]
    [InlineData("<Response><Speak language=\"english\">a</Speak></Response>", "<Speak language> must be a language tag")]
    [InlineData("<Response><Speak> </Speak></Response>", "<Speak> needs a text")]
    [InlineData("<Response><Speak>a<Play>https://a.example/x.mp3</Play></Speak></Response>", "<Speak> holds text and SSML only, not <Play>")]
    [InlineData("<Response><Speak><break time=\"1s\" onclick=\"x\"/>a</Speak></Response>", "<break> has no attribute onclick")]
    [InlineData("<Response><Speak><lang lang=\"fr\">a</lang></Speak></Response>", "<lang> has no attribute lang")]
    // Wait.
    [InlineData("<Response><Wait length=\"0\"/></Response>", "<Wait length> must be a whole number from 1 to 86400")]
    [InlineData("<Response><Wait minSilence=\"1\" min_silence=\"2\"/></Response>", "<Wait> takes minSilence or min_silence, not both")]
    [InlineData("<Response><Wait>3</Wait></Response>", "<Wait> holds nothing")]
    // GetDigits.
    [InlineData("<Response><GetDigits finishOnKey=\"##\"/></Response>", "<GetDigits finishOnKey> must be one of 0-9, * and #, or none")]
    [InlineData("<Response><GetDigits finishOnKey=\"a\"/></Response>", "<GetDigits finishOnKey> must be one of 0-9, * and #, or none")]
    [InlineData("<Response><GetDigits numDigits=\"100\"/></Response>", "<GetDigits numDigits> must be a whole number from 1 to 99")]
    [InlineData("<Response><GetDigits retries=\"0\"/></Response>", "<GetDigits retries> must be a whole number from 1 to 100")]
    [InlineData("<Response><GetDigits validDigits=\"\"/></Response>", "<GetDigits validDigits> must be some of 0-9, * and #, each once")]
    [InlineData("<Response><GetDigits validDigits=\"11\"/></Response>", "<GetDigits validDigits> must be some of 0-9, * and #, each once")]
    [InlineData("<Response><GetDigits>press</GetDigits></Response>", "<GetDigits> holds elements only, no text")]
    [InlineData("<Response><GetDigits><Record/></GetDigits></Response>", "<GetDigits> cannot hold <Record>")]
    // GetInput.
    [InlineData("<Response><GetInput inputType=\"dtmf\"/></Response>", "<GetInput> needs action")]
    [InlineData("<Response><GetInput action=\"https://a.example/g\"/></Response>", "<GetInput> needs inputType")]
    [InlineData("<Response><GetInput action=\"https://a.example/g\" inputType=\"voice\"/></Response>", "<GetInput inputType> must be dtmf or speech or dtmf speech")]
    [InlineData("<Response><GetInput action=\"https://a.example/g\" inputType=\"dtmf\" executionTimeout=\"4\"/></Response>", "<GetInput executionTimeout> must be a whole number from 5 to 60")]
    [InlineData("<Response><GetInput action=\"https://a.example/g\" inputType=\"dtmf\" digitEndTimeout=\"11\"/></Response>", "<GetInput digitEndTimeout> must be a whole number from 2 to 10")]
    [InlineData("<Response><GetInput action=\"https://a.example/g\" inputType=\"dtmf\" numDigits=\"33\"/></Response>", "<GetInput numDigits> must be a whole number from 1 to 32")]
    [InlineData("<Response><GetInput action=\"https://a.example/g\" inputType=\"dtmf\"><Dial/></GetInput></Response>", "<GetInput> cannot hold <Dial>")]
    // Record.
    [InlineData("<Response><Record fileFormat=\"ogg\"/></Response>", "<Record fileFormat> must be mp3 or wav")]
    [InlineData("<Response><Record recordChannelType=\"quad\"/></Response>", "<Record recordChannelType> must be stereo or mono")]
    [InlineData("<Response><Record transcriptionType=\"auto\"/></Response>", "<Record transcriptionType> is not supported")]
    [InlineData("<Response><Record transcriptionUrl=\"https://a.example/t\"/></Response>", "<Record transcriptionUrl> is not supported")]
    [InlineData("<Response><Record transcriptionMethod=\"GET\"/></Response>", "<Record transcriptionMethod> is not supported")]
    [InlineData("<Response><Record finishOnKey=\"x\"/></Response>", "<Record finishOnKey> must be some of 0-9, * and #, each once, or none")]
    [InlineData("<Response><Record maxLength=\"0\"/></Response>", "<Record maxLength> must be a whole number from 1 to 86400")]
    [InlineData("<Response><Record callbackMethod=\"DELETE\"/></Response>", "<Record callbackMethod> must be GET or POST")]
    // Dial.
    [InlineData("<Response><Dial/></Response>", "<Dial> needs a <Number> or a <User>")]
    [InlineData("<Response><Dial>14155550100</Dial></Response>", "<Dial> holds elements only, no text")]
    [InlineData("<Response><Dial><Play>https://a.example/x.mp3</Play></Dial></Response>", "<Dial> holds only <Number> and <User>, not <Play>")]
    [InlineData("<Response><Dial><Number>1-415-555-x</Number></Dial></Response>", "<Number> must hold a phone number in international (E.164) form")]
    [InlineData("<Response><Dial><Number>1234567890123456</Number></Dial></Response>", "<Number> must hold a phone number in international (E.164) form")]
    [InlineData("<Response><Dial><User>john@pbx.example</User></Dial></Response>", "<User> must hold a sip: URI")]
    [InlineData("<Response><Dial><Number sendDigits=\"12a\">14155550100</Number></Dial></Response>", "<Number sendDigits> must hold only 0-9, *, #, w and W")]
    [InlineData("<Response><Dial><Number sendDigitsMode=\"rfc2833\">14155550100</Number></Dial></Response>", "<Number sendDigitsMode> is not supported")]
    [InlineData("<Response><Dial><User sipHeaders=\"a=b\">sip:a@b</User></Dial></Response>", "<User sipHeaders> is not supported")]
    [InlineData("<Response><Dial sipHeaders=\"a=b\"><User>sip:a@b</User></Dial></Response>", "<Dial sipHeaders> is not supported")]
    [InlineData("<Response><Dial digitsMatch=\"12\"><User>sip:a@b</User></Dial></Response>", "<Dial digitsMatch> is not supported")]
    [InlineData("<Response><Dial digitsMatchBLeg=\"12\"><User>sip:a@b</User></Dial></Response>", "<Dial digitsMatchBLeg> is not supported")]
    [InlineData("<Response><Dial callerId=\"Reception\"><User>sip:a@b</User></Dial></Response>", "<Dial callerId> must be a phone number")]
    [InlineData("<Response><Dial callerName=\"\"><User>sip:a@b</User></Dial></Response>", "<Dial callerName> must be 1 to 50 characters")]
    [InlineData("<Response><Dial callerName=\"A&#13;&#10;Via: x\"><User>sip:a@b</User></Dial></Response>", "<Dial callerName> must be 1 to 50 characters, none of them a control character")]
    [InlineData("<Response><Dial><Number callerName=\"123456789012345678901234567890123456789012345678901\">14155550100</Number></Dial></Response>", "<Number callerName> must be 1 to 50")]
    [InlineData("<Response><Dial confirmKey=\"12\"><User>sip:a@b</User></Dial></Response>", "<Dial confirmKey> must be one of 0-9, * and #")]
    [InlineData("<Response><Dial timeLimit=\"0\"><User>sip:a@b</User></Dial></Response>", "<Dial timeLimit> must be a whole number from 1 to 86400")]
    [InlineData("<Response><Dial dialMusic=\"ringing\"><User>sip:a@b</User></Dial></Response>", "<Dial dialMusic> must be an absolute http or https URL")]
    // Redirect, Hangup, PreAnswer, DTMF, Message.
    [InlineData("<Response><Hangup reason=\"no-answer\"/></Response>", "<Hangup reason> must be rejected or busy")]
    [InlineData("<Response><Hangup schedule=\"0\"/></Response>", "<Hangup schedule> must be a whole number from 1 to 86400")]
    [InlineData("<Response><Hangup>now</Hangup></Response>", "<Hangup> holds nothing")]
    [InlineData("<Response><PreAnswer loop=\"1\"/></Response>", "<PreAnswer> has no attribute loop")]
    [InlineData("<Response><PreAnswer><Dial><User>sip:a@b</User></Dial></PreAnswer></Response>", "<PreAnswer> cannot hold <Dial>")]
    [InlineData("<Response><PreAnswer><PreAnswer/></PreAnswer></Response>", "<PreAnswer> cannot hold <PreAnswer>")]
    [InlineData("<Response><DTMF/></Response>", "<DTMF> needs digits")]
    [InlineData("<Response><DTMF>12x</DTMF></Response>", "<DTMF> must hold only 0-9, *, #, w and W")]
    [InlineData("<Response><DTMF digits=\"1\">2</DTMF></Response>", "<DTMF> takes its digits as its text or as an attribute, not both")]
    [InlineData("<Response><DTMF async=\"1\">2</DTMF></Response>", "<DTMF async> must be true or false")]
    [InlineData("<Response><Message dst=\"1\">x</Message></Response>", "<Message> needs src")]
    [InlineData("<Response><Message src=\"1\" dst=\"2\" type=\"mms\">x</Message></Response>", "<Message type> must be sms")]
    [InlineData("<Response><Message src=\"1\" dst=\"2&lt;&lt;3\">x</Message></Response>", "<Message dst> has an empty number")]
    [InlineData("<Response><Message src=\"1\" dst=\"2\" callbackUrl=\"cb\">x</Message></Response>", "<Message callbackUrl> must be an absolute http or https URL")]
    public void Each_rule_refuses_with_the_element_attribute_and_rule(string xml, string problem)
    {
        var refused = Assert.Throws<VoiceXmlException>(() => VoiceXml.Parse(xml));
        Assert.Contains(problem, refused.Message);
    }

    [Fact]
    public void A_refusal_never_quotes_a_value()
    {
        // The offending values are phone numbers; each refusal names only where and what.
        string[] documents =
        [
            "<Response><Dial callerId=\"14155550123x\"><User>sip:a@b</User></Dial></Response>",
            "<Response><Dial><Number>14155550123x</Number></Dial></Response>",
            "<Response><Dial><Number sendDigits=\"14155550123x\">14155550100</Number></Dial></Response>",
            "<Response><Wait length=\"14155550123\"/></Response>",
            "<Response><Play>14155550123</Play></Response>",
            "<Response><Speak>14155550123</Spea></Response>",
            "<Response><Message src=\"14155550123\" dst=\"14155550124\"></Message></Response>",
        ];
        foreach (var xml in documents)
            Assert.DoesNotContain("1415555012", Assert.Throws<VoiceXmlException>(() => VoiceXml.Parse(xml)).Message);
    }

    [Fact]
    public void The_verb_and_target_limits_hold_and_what_is_within_them_is_read()
    {
        var wait = "<Wait/>";
        Assert.Equal(VoiceXml.MaxVerbs, VoiceXml.Parse($"<Response>{string.Concat(Enumerable.Repeat(wait, VoiceXml.MaxVerbs))}</Response>").Verbs.Count);
        Assert.Contains($"more than {VoiceXml.MaxVerbs} verbs",
            Assert.Throws<VoiceXmlException>(() => VoiceXml.Parse($"<Response>{string.Concat(Enumerable.Repeat(wait, VoiceXml.MaxVerbs + 1))}</Response>")).Message);

        var user = "<User>sip:a@b</User>";
        Assert.Equal(VoiceXml.MaxDialTargets, Assert.IsType<DialVerb>(Only($"<Dial>{string.Concat(Enumerable.Repeat(user, VoiceXml.MaxDialTargets))}</Dial>")).Targets.Count);
        Assert.Contains($"at most {VoiceXml.MaxDialTargets} numbers and users",
            Assert.Throws<VoiceXmlException>(() => Only($"<Dial>{string.Concat(Enumerable.Repeat(user, VoiceXml.MaxDialTargets + 1))}</Dial>")).Message);
    }

    static string Repeat(string text, int times) => new StringBuilder(text.Length * times).Insert(0, text, times).ToString();

    /// <summary>Hostile documents by name (each is built only when its case runs, some are large).</summary>
    static readonly Dictionary<string, (Func<string> Xml, string Problem)> Hostile = new()
    {
        ["entity expansion"] = (() => "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Response><Speak>&c;</Speak></Response>", "not well-formed or not allowed"),
        ["external entity"] = (() => "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Response><Speak>&x;</Speak></Response>", "not well-formed or not allowed"),
        ["undeclared entity"] = (() => "<Response><Speak>&x;</Speak></Response>", "not well-formed or not allowed"),
        ["101 KB"] = (() => $"<Response><Speak>{new string('a', 101 * 1024)}</Speak></Response>", $"longer than {WebhookClient.MaxReplyBytes} characters"),
        ["10,000 deep"] = (() => "<Response>" + Repeat("<a>", 10_000) + Repeat("</a>", 10_000) + "</Response>", $"nested more than {PlivoXml.MaxDepth} deep"),
        ["10,000 deep, never closed"] = (() => "<Response>" + Repeat("<Speak>", 10_000), $"nested more than {PlivoXml.MaxDepth} deep"),
        ["100k elements"] = (() => "<Response>" + Repeat("<Wait/>", 100_000) + "</Response>", $"longer than {WebhookClient.MaxReplyBytes} characters"),
        ["1,001 elements"] = (() => "<Response><GetDigits>" + Repeat("<Wait/>", PlivoXml.MaxElements) + "</GetDigits></Response>", $"more than {PlivoXml.MaxElements} elements"),
        ["wrong root"] = (() => "<Document><Speak>a</Speak></Document>", "the root element must be <Response>"),
        ["two roots"] = (() => "<Response/><Response/>", "not well-formed or not allowed"),
        ["no XML"] = (() => "Hello", "not well-formed or not allowed"),
        ["empty"] = (() => "", "not well-formed or not allowed"),
        ["namespaced root"] = (() => "<Response xmlns=\"urn:plivo\"><Speak>a</Speak></Response>", "the root element must be <Response>"),
        ["namespaced verb"] = (() => "<Response><x:Speak xmlns:x=\"urn:x\">a</x:Speak></Response>", "<Speak> is in a namespace"),
        ["namespaced attribute"] = (() => "<Response><Speak x:loop=\"2\" xmlns:x=\"urn:x\">a</Speak></Response>", "<Speak> has no attribute x:loop"),
        ["text at top level"] = (() => "<Response>Hello<Speak>a</Speak></Response>", "<Response> holds elements only, no text"),
        ["CDATA at top level"] = (() => "<Response><![CDATA[Hello]]></Response>", "<Response> holds elements only, no text"),
        ["control character"] = (() => "<Response><Speak>a\u0001b</Speak></Response>", "not well-formed or not allowed"),
        ["control character reference"] = (() => "<Response><Speak>a&#1;b</Speak></Response>", "not well-formed or not allowed"),
        ["NUL in an attribute"] = (() => "<Response><Dial callerName=\"a&#0;\"><User>sip:a@b</User></Dial></Response>", "not well-formed or not allowed"),
        ["lone surrogate"] = (() => "<Response><Speak>a&#xD800;</Speak></Response>", "not well-formed or not allowed"),
        ["processing instruction only"] = (() => "<?xml-stylesheet href=\"x\"?>", "not well-formed or not allowed"),
    };

    public static TheoryData<string> HostileCases => new(Hostile.Keys);

    [Theory]
    [MemberData(nameof(HostileCases))]
    public async Task Hostile_documents_are_refused_at_once(string name)
    {
        var (xml, problem) = Hostile[name];
        var text = xml();

        var parsing = Task.Run(() => VoiceXml.Parse(text));
        Assert.True(await Task.WhenAny(parsing, Task.Delay(TimeSpan.FromSeconds(10))) == parsing, $"{name}: still parsing after 10 s");
        var refused = await Assert.ThrowsAsync<VoiceXmlException>(() => parsing);
        Assert.Contains(problem, refused.Message);
    }

    /// <summary>Valid documents to mutate: the SDK's output and one that uses every attribute of every verb.</summary>
    static readonly string[] Valid =
    [
        SdkOutput,
        "<Response><PreAnswer><Speak voice=\"MAN\" loop=\"0\">Hi <break time=\"1s\"/>there</Speak><DTMF async=\"false\">1w#</DTMF></PreAnswer>" +
        "<Wait length=\"2\" silence=\"true\" minSilence=\"500\" beep=\"true\"/><GetDigits action=\"https://a.example/gd\" timeout=\"7\" validDigits=\"12*\" finishOnKey=\"none\"><Wait/></GetDigits>" +
        "<Record finishOnKey=\"\" recordChannelType=\"mono\" callbackUrl=\"https://a.example/rc\"/>" +
        "<Dial timeout=\"20\" callerName=\"Desk\" confirmKey=\"5\" dialMusic=\"real\"><Number sendOnPreanswer=\"true\">+14155550103</Number><User>sip:a@b</User></Dial>" +
        "<Message src=\"14155550100\" dst=\"14155550101&lt;14155550102\" callbackMethod=\"GET\">Hi</Message><Hangup reason=\"busy\" schedule=\"5\"/></Response>",
    ];

    /// <summary>Pieces that break documents in interesting ways when spliced in anywhere.</summary>
    static readonly string[] Splices =
    [
        "<", ">", "/>", "\"", "'", "&", "&amp;", "&#0;", "&#x1F600;", "&#xD800;", "&bogus;", "<![CDATA[x]]>", "<!-- c -->", "<?pi x?>", "]]>", "\u0000", "\ufffe",
        "<Speak>a</Speak>", "</Dial>", "<Number>14155550100</Number>", "<Conference>r</Conference>", " loop=\"-1\"", " loop=\"1\"", " xmlns=\"urn:x\"", " xmlns:p=\"urn:p\"",
        " p:x=\"1\"", " transcriptionType=\"auto\"", " voice=\"Polly.Joanna\"", "<!DOCTYPE Response>", " method=\"PUT\"", "<PreAnswer>", "</PreAnswer>", "sip:", "https://",
    ];

    static readonly Gen<string> Mutated = Gen.Select(Gen.OneOf(Valid), Gen.Select(Gen.Int[0, 4], Gen.Int[0, 10_000], Gen.Char, Gen.OneOf(Splices)).Array[1, 8])
        .Select((valid, edits) =>
        {
            var text = new StringBuilder(valid);
            foreach (var (op, at, c, splice) in edits)
            {
                var position = at % (text.Length + 1);
                switch (op)
                {
                    case 0 when position < text.Length:
                        text.Remove(position, 1);
                        break;
                    case 1 when position < text.Length:
                        text[position] = c;
                        break;
                    case 2:
                        text.Insert(position, c);
                        break;
                    case 3:
                        text.Insert(position, splice);
                        break;
                    default:
                        // Cut out a run, as a truncated or badly assembled document would be.
                        text.Remove(position, Math.Min(text.Length - position, c % 40));
                        break;
                }
            }
            return text.ToString();
        });

    /// <summary>What a read document promises the engine, whatever it was read from: every URL absolute http or https, every dial with 1 to 10 targets.</summary>
    static void AssertRunnable(object? node)
    {
        switch (node)
        {
            case Uri url:
                Assert.True(url.IsAbsoluteUri && url.Scheme is "http" or "https", "a URL that is not absolute http or https");
                break;
            case System.Collections.IEnumerable items and not string:
                foreach (var item in items)
                    AssertRunnable(item);
                break;
            case VoiceVerb or DialTarget:
                if (node is DialVerb dial)
                    Assert.InRange(dial.Targets.Count, 1, VoiceXml.MaxDialTargets);
                foreach (var property in node.GetType().GetProperties())
                    AssertRunnable(property.GetValue(node));
                break;
        }
    }

    [Fact]
    public void Mutations_of_valid_documents_are_read_or_refused_with_a_VoiceXmlException_only()
    {
        var (read, refused) = PlivoXmlFuzz.Run<VoiceXmlException>(Mutated, stream: 27, seed: 27_0002, count: 3_000, xml => AssertRunnable(VoiceXml.Parse(xml).Verbs));

        // Both ways out are exercised, or the mutations have drifted away from what the reader sees.
        Assert.True(read > 50 && refused > 50, $"{read} read, {refused} refused");
    }
}
