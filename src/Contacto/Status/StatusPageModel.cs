namespace Contacto.Status;

/// <summary>What <c>Views/StatusPage.cshtml</c> shows: the snapshot and each component's uptime.</summary>
public sealed record StatusPageModel(StatusSnapshot Snapshot, IReadOnlyDictionary<string, UptimeSummary> Uptime);
