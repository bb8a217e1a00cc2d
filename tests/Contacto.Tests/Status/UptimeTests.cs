using Contacto.Status;

namespace Contacto.Tests.Status;

/// <summary>Uptime from status history, Statuspage's way: major outage is down, partial outage 30% down.</summary>
public sealed class UptimeTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Days_before_the_component_existed_have_no_data_and_do_not_count()
    {
        var summary = Uptime.Compute([(Now.AddDays(-2), ComponentStatus.Operational)], Now);
        Assert.Equal(Uptime.Days, summary.Days.Count);
        Assert.Equal(new DateOnly(2026, 11, 29), summary.Days[^1].Date);
        Assert.Null(summary.Days[^4].Percent);
        Assert.Equal(100, summary.Days[^3].Percent);
        Assert.Equal(100, summary.Percent);
    }

    [Fact]
    public void An_outage_counts_against_its_day_and_the_window()
    {
        var created = Now.AddDays(-10);
        var outageStart = new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);
        var summary = Uptime.Compute(
        [
            (created, ComponentStatus.Operational),
            (outageStart, ComponentStatus.MajorOutage),
            (outageStart.AddHours(6), ComponentStatus.PartialOutage),
            (outageStart.AddHours(16), ComponentStatus.Operational),
        ], Now);
        var day = summary.Days.Single(d => d.Date == new DateOnly(2026, 11, 27));
        Assert.Equal(ComponentStatus.MajorOutage, day.Worst);
        // 6 h down plus 30% of 10 h partial = 9 h of 24 h.
        Assert.Equal(100 * (1 - 9.0 / 24), day.Percent!.Value, 6);
        Assert.Equal(100 * (1 - 9.0 / (10 * 24)), summary.Percent, 6);
        Assert.True(summary.Percent < 99.95);
        Assert.Equal(ComponentStatus.Operational, summary.Days[^1].Worst);
    }
}
