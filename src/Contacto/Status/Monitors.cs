using System.Diagnostics;
using Contacto.Api;
using Contacto.Operations;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

/// <summary>Storage that does not answer (or lags behind its migrations) is a major outage of what needs it.</summary>
sealed class StorageHealthSource(HealthCheckService health) : IComponentStatusSource
{
    public async ValueTask<IReadOnlyList<ComponentObservation>> ObserveAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(StorageServiceCollectionExtensions.ReadyTag), cancellationToken);
        var status = report.Status == HealthStatus.Healthy ? ComponentStatus.Operational : ComponentStatus.MajorOutage;
        return [new ComponentObservation(MonitorSubjects.Storage, status)];
    }
}

/// <summary>
/// The public API's own traffic over a sliding window: the share of 5xx answers and of slow
/// answers becomes the <c>api</c> subject's status. Too few requests say nothing.
/// </summary>
internal sealed class ApiTraffic(IOptions<StatusOptions> options, TimeProvider time) : IComponentStatusSource
{
    const int BucketSeconds = 10;
    readonly Lock gate = new();
    readonly Dictionary<long, (int Total, int Errors, int Slow)> buckets = [];

    public void Record(int statusCode, TimeSpan elapsed)
    {
        var slow = elapsed.TotalMilliseconds >= options.Value.Monitors.Api.SlowRequestMilliseconds;
        var bucket = time.GetUtcNow().ToUnixTimeSeconds() / BucketSeconds;
        lock (gate)
        {
            var (total, errors, slowCount) = buckets.GetValueOrDefault(bucket);
            buckets[bucket] = (total + 1, errors + (statusCode >= 500 ? 1 : 0), slowCount + (slow ? 1 : 0));
        }
    }

    public ValueTask<IReadOnlyList<ComponentObservation>> ObserveAsync(CancellationToken cancellationToken)
    {
        var api = options.Value.Monitors.Api;
        var oldest = (time.GetUtcNow().ToUnixTimeSeconds() - api.WindowSeconds) / BucketSeconds;
        int total = 0, errors = 0, slow = 0;
        lock (gate)
        {
            foreach (var stale in buckets.Keys.Where(k => k < oldest).ToList())
                buckets.Remove(stale);
            foreach (var (t, e, s) in buckets.Values)
                (total, errors, slow) = (total + t, errors + e, slow + s);
        }
        if (total < api.MinimumRequests)
            return ValueTask.FromResult<IReadOnlyList<ComponentObservation>>([]);
        var errorShare = (double)errors / total;
        var status = errorShare >= api.MajorOutageErrorShare ? ComponentStatus.MajorOutage
            : errorShare >= api.PartialOutageErrorShare ? ComponentStatus.PartialOutage
            : (double)slow / total >= api.DegradedSlowShare ? ComponentStatus.DegradedPerformance
            : ComponentStatus.Operational;
        return ValueTask.FromResult<IReadOnlyList<ComponentObservation>>([new ComponentObservation(MonitorSubjects.Api, status)]);
    }
}

/// <summary>Times every public API request, outermost in the pipeline so it sees the answer the client got.</summary>
sealed class ApiTrafficStartupFilter(ApiTraffic traffic) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.StartsWithSegments(ApiErrorMiddleware.Prefix.TrimEnd('/')) || Planes.Of(context) != Plane.Public)
            {
                await nextMiddleware(context);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                traffic.Record(context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
            }
        });
        next(app);
    };
}
