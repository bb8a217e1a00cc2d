using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Mono.Cecil;
using Mono.Cecil.Cil;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Contacto.Tests;

/// <summary>
/// The composition rules of docs/architecture.md, checked on the compiled platform: capability
/// folders depend one way, none reads another's tables, and protocol libraries and simulators stay
/// where they belong.
/// </summary>
public sealed class ArchitectureTests
{
    static readonly System.Reflection.Assembly PlatformAssembly = typeof(ContactoPlatform).Assembly;

    static readonly Lazy<Architecture> Platform = new(() => new ArchLoader().LoadAssemblies(PlatformAssembly).Build());

    /// <summary>The folders every capability may stand on; they stand on nothing but each other.</summary>
    static readonly string[] Foundations = ["Platform", "Tenancy", "Tls", "Observability"];

    /// <summary>
    /// Between capability folders (a folder with its sub-folders: Carriers and Carriers/Smpp are
    /// one), as ArchUnitNET reads the dependencies of every type: no folder reaches itself again.
    /// </summary>
    [Fact]
    public void Capability_folders_depend_on_each_other_one_way_only()
    {
        var edges = Platform.Value.Types
            // A generic parameter is no dependency: ArchUnitNET names it after the first type that declared one of that name.
            .SelectMany(type => type.Dependencies.Where(d => d.Target is not ArchUnitNET.Domain.GenericParameter).Select(d => (From: CapabilityOf(type.Namespace.FullName), To: CapabilityOf(d.Target.Namespace?.FullName ?? ""), Example: $"{type.FullName} -> {d.Target.FullName}")))
            .Where(e => e.From is not null && e.To is not null && e.From != e.To)
            .GroupBy(e => (From: e.From!, To: e.To!)).ToDictionary(g => g.Key, g => g.First().Example);
        var next = edges.Keys.ToLookup(e => e.From, e => e.To);
        bool Reaches(string from, string to)
        {
            var (seen, open) = (new HashSet<string> { from }, new Stack<string>([from]));
            while (open.TryPop(out var at))
                foreach (var step in next[at])
                    if (step == to || seen.Add(step) && Reach(step))
                        return true;
            return false;
            bool Reach(string step) { open.Push(step); return false; }
        }
        var cycles = edges.Where(e => Reaches(e.Key.To, e.Key.From)).Select(e => $"{e.Key.From} -> {e.Key.To} ({e.Value})").Order().ToList();
        Assert.True(cycles.Count == 0, "Dependencies on a cycle:" + Environment.NewLine + string.Join(Environment.NewLine, cycles));
    }

    [Fact]
    public void Storage_names_no_capabilitys_types() =>
        Types().That().ResideInNamespace("Contacto.Storage")
            .And().DoNotResideInNamespaceMatching(@"Contacto\.Storage\.Migrations.*")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(CapabilityNamespaces(except: ["Storage", .. Foundations])))
            .Check(Platform.Value);

    [Fact]
    public void Only_carriers_speak_protocols_and_messaging_uses_only_the_SMPP_librarys_text_planning()
    {
        Types().That().ResideInNamespaceMatching(@"Contacto\.(?!Carriers|Messaging)\w+.*")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"Contacto\.(Smpp|Sip)(\..*)?"))
            .Check(Platform.Value);
        Types().That().ResideInNamespaceMatching(@"Contacto\.Messaging.*")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"Contacto\.(Smpp(?!\.Text)|Sip)(\..*)?"))
            .Check(Platform.Value);
    }

    [Fact]
    public void The_platform_references_no_simulator_and_protocol_libraries_reference_no_platform()
    {
        Assert.DoesNotContain(PlatformAssembly.GetReferencedAssemblies(), a => a.Name == "Contacto.CarrierSim");
        Assert.DoesNotContain(typeof(Contacto.Smpp.Protocol.Pdu).Assembly.GetReferencedAssemblies(), a => a.Name is "Contacto" or "Contacto.CarrierSim");
    }

    /// <summary>
    /// A capability reaches another's data through that capability's services: no method of one
    /// asks the database context for the set of an entity another capability owns.
    /// </summary>
    [Fact]
    public void No_capability_reads_another_capabilitys_entities()
    {
        using var module = ModuleDefinition.ReadModule(PlatformAssembly.Location);
        var reads = new SortedSet<string>();
        foreach (var type in module.GetTypes().Where(t => t.HasMethods))
        {
            var reader = CapabilityOf(Outermost(type).Namespace);
            if (reader is null)
                continue;
            foreach (var body in type.Methods.Where(m => m.HasBody).Select(m => m.Body))
                foreach (var instruction in body.Instructions.Where(i => i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt))
                {
                    if (instruction.Operand is not GenericInstanceMethod { Name: "Set", DeclaringType.FullName: "Microsoft.EntityFrameworkCore.DbContext" } set)
                        continue;
                    var entity = set.GenericArguments[0];
                    var owner = CapabilityOf(entity.Namespace);
                    if (owner is not null && owner != reader)
                        reads.Add($"{Outermost(type).FullName} reads {entity.FullName}");
                }
        }
        Assert.True(reads.Count == 0, string.Join(Environment.NewLine, reads));
    }

    /// <summary>
    /// Implementation types are internal (tests and benches reach them through InternalsVisibleTo):
    /// the platform's public types are exactly these, each listed for the reason it must be public.
    /// A new public type fails here until it is made internal or listed with its reason.
    /// </summary>
    static readonly string[] PublicTypes =
    [
        // What the host (Contacto.Server) and the CLI (Contacto.Cli) call.
        "Contacto.ContactoPlatform",
        "Contacto.Accounts.Account", "Contacto.Accounts.AccountFields", "Contacto.Accounts.AccountService", "Contacto.Accounts.Credentials",
        "Contacto.Api.AccountApi", "Contacto.Api.ApiErrorMiddleware",
        "Contacto.Audit.ActorKind", "Contacto.Audit.ApiLogMiddleware", "Contacto.Audit.AuditActions", "Contacto.Audit.AuditActor",
        "Contacto.Audit.AuditEntry", "Contacto.Audit.AuditOutcome", "Contacto.Audit.AuditProblem", "Contacto.Audit.AuditRecord",
        "Contacto.Audit.AuditServiceCollectionExtensions", "Contacto.Audit.AuditVerification", "Contacto.Audit.AuditVerifier",
        "Contacto.Carriers.CarrierOptions", "Contacto.Carriers.CarrierProducts", "Contacto.Carriers.CarriersServiceCollectionExtensions",
        "Contacto.Carriers.IEmbeddedCarriers", "Contacto.Carriers.Sip.SipListeners", "Contacto.Carriers.Sip.SipTrunkSettings",
        "Contacto.Carriers.Smpp.SmppSettings",
        "Contacto.Console.ConsoleInvitation", "Contacto.Console.ConsoleRole", "Contacto.Console.ConsoleRoles", "Contacto.Console.ConsoleUsers",
        "Contacto.Crypto.ITenantKeyAdministration", "Contacto.Crypto.RewrapProgress", "Contacto.Crypto.TenantKeyKind",
        "Contacto.Crypto.TenantKeyRecord", "Contacto.Crypto.TenantKeyState",
        "Contacto.Messaging.MessagingServiceCollectionExtensions",
        "Contacto.Numbers.NumberPlan", "Contacto.Numbers.NumberService", "Contacto.Numbers.NumberTypes", "Contacto.Numbers.RentedNumber",
        "Contacto.Observability.LoggingSetup", "Contacto.Observability.MetricsSetup", "Contacto.Observability.TracingSetup",
        "Contacto.Operations.OperatorToken", "Contacto.Operations.OperatorTokenService", "Contacto.Operations.Plane", "Contacto.Operations.Planes",
        "Contacto.Platform.ContactoConfiguration", "Contacto.Platform.DataDirectory", "Contacto.Platform.StartupFailure",
        "Contacto.Storage.ContactoDbContext", "Contacto.Storage.ContactoDbContextFactory", "Contacto.Storage.StorageInitializer",
        "Contacto.Storage.StorageProvider",
        "Contacto.Tls.ServerCertificateStore", "Contacto.Tls.TlsPolicy", "Contacto.Tls.TlsServiceCollectionExtensions",
        "Contacto.Voice.VoiceServiceCollectionExtensions",
        "Contacto.Webhooks.WebhooksServiceCollectionExtensions",
        // What the public constructors, parameters and results of those name.
        "Contacto.Accounts.ISubaccountDeletionHandler", "Contacto.Accounts.LiveAccounts",
        "Contacto.Api.ApiException",
        "Contacto.Applications.Application",
        "Contacto.Audit.AuditAnchors", "Contacto.Audit.AuditHeadKey", "Contacto.Audit.AuditMac", "Contacto.Audit.AuditOptions",
        "Contacto.Audit.AuditTreeHead", "Contacto.Audit.IAuditTrail",
        "Contacto.Carriers.Sip.SipInboundSettings",
        "Contacto.Console.ConsoleOptions", "Contacto.Console.ConsoleSession", "Contacto.Console.ConsoleUser", "Contacto.Console.PasswordHasher",
        "Contacto.Console.SessionStage",
        "Contacto.Crypto.IKekProvider", "Contacto.Crypto.ISigningKey", "Contacto.Crypto.ITenantCrypto", "Contacto.Crypto.KeyShreddingRecord",
        "Contacto.Crypto.TenantKeyLease", "Contacto.Crypto.WrappedKey",
        "Contacto.Platform.PlatformOptions",
        "Contacto.Storage.IStorageStartupTask", "Contacto.Storage.StorageOptions",
        "Contacto.Tls.TlsOptions",
        // RazorSlices generates a public proxy for every template (not listed: they implement IRazorSliceProxy<T>), so the
        // templates' models are public, and so is what the models show.
        "Contacto.Console.AuditTrailPage", "Contacto.Console.ConsoleFrame", "Contacto.Console.ConsolePage", "Contacto.Console.DataTable",
        "Contacto.Console.EnrolPage", "Contacto.Console.JoinPage", "Contacto.Console.MessageDetailPage", "Contacto.Console.MessagePage",
        "Contacto.Console.MessagesPage", "Contacto.Console.OpenInvitationPage", "Contacto.Console.OverviewPage", "Contacto.Console.PasskeyButton",
        "Contacto.Console.ReauthenticatePage", "Contacto.Console.RecoveryCodesPage", "Contacto.Console.ReplaceTotpPage",
        "Contacto.Console.SecondFactorPage", "Contacto.Console.SecurityPage", "Contacto.Console.SignInPage", "Contacto.Console.SsoSettingsPage",
        "Contacto.Console.SsoStartPage", "Contacto.Console.SsoReturnPage", "Contacto.Console.SsoAgain",
        "Contacto.Console.SubaccountsPage", "Contacto.Console.TotpKey", "Contacto.Console.UsersPage",
        "Contacto.Console.ConsoleMessageLog", "Contacto.Console.ConsolePasskey", "Contacto.Console.ConsoleSsoSettings", "Contacto.Console.JoinSso",
        "Contacto.Messaging.Message", "Contacto.Messaging.MessageLogQuery", "Contacto.Messaging.MessageLogReader", "Contacto.Messaging.OpenedMessage",
        "Contacto.Status.StatusPageModel", "Contacto.Status.StatusSnapshot", "Contacto.Status.StatusIndicator", "Contacto.Status.ComponentView",
        "Contacto.Status.ComponentStatus", "Contacto.Status.UptimeSummary", "Contacto.Status.UptimeDay",
        "Contacto.Status.StatusOptions", "Contacto.Status.ComponentGroupOptions", "Contacto.Status.ComponentOptions",
        "Contacto.Status.MonitorOptions", "Contacto.Status.ApiMonitorOptions",
        "Contacto.Status.Incidents.Incident", "Contacto.Status.Incidents.IncidentUpdate", "Contacto.Status.Incidents.IncidentImpact",
        "Contacto.Status.Incidents.IncidentStatus", "Contacto.Status.Incidents.AffectedComponent",
        // xunit runs only public test methods, whose parameters must then be public too: these are theories' parameters.
        "Contacto.Carriers.CarrierError", "Contacto.Observability.LogFormat", "Contacto.Recordings.BlobStoreKind",
        "Contacto.Webhooks.AttemptOutcome",
    ];

    [Fact]
    public void The_platforms_public_types_are_those_the_host_the_CLI_and_frameworks_need()
    {
        var exported = PlatformAssembly.GetExportedTypes()
            .Where(t => !t.IsNested && !t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(RazorSlices.IRazorSliceProxy<>)))
            .Select(t => t.FullName!).ToHashSet();
        var unlisted = exported.Except(PublicTypes).Order().ToList();
        var stale = PublicTypes.Except(exported).Order().ToList();
        Assert.True(unlisted.Count == 0 && stale.Count == 0,
            $"Public but not listed (make it internal, or list it with its reason): {string.Join(", ", unlisted)}" + Environment.NewLine +
            $"Listed but no longer public (drop it from the list): {string.Join(", ", stale)}");
    }

    static TypeDefinition Outermost(TypeDefinition type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    /// <summary>The capability folder of a namespace of the platform (<c>Contacto.Messaging</c>: Messaging), or null.</summary>
    static string? CapabilityOf(string ns) =>
        ns.StartsWith("Contacto.", StringComparison.Ordinal) ? ns["Contacto.".Length..].Split('.')[0] : null;

    static string CapabilityNamespaces(string[] except) =>
        $@"Contacto\.(?!({string.Join('|', except)})\b)\w+(\..*)?";
}
