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

    static TypeDefinition Outermost(TypeDefinition type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    /// <summary>The capability folder of a namespace of the platform (<c>Contacto.Messaging</c>: Messaging), or null.</summary>
    static string? CapabilityOf(string ns) =>
        ns.StartsWith("Contacto.", StringComparison.Ordinal) ? ns["Contacto.".Length..].Split('.')[0] : null;

    static string CapabilityNamespaces(string[] except) =>
        $@"Contacto\.(?!({string.Join('|', except)})\b)\w+(\..*)?";
}
