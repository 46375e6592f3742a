using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>The time-left estimate Wait-AliBackupTask shows: the pace of the percentage between polls.</summary>
public class ProgressPaceTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Time_spent_at_zero_percent_does_not_count_against_the_copy()
    {
        // 21 s of queueing and preparation at 0%, then 4% per second: at 1% the copy has about 25 s to go.
        var pace = new ProgressPace();
        Assert.Null(pace.Observe(S(0), 0));
        Assert.Null(pace.Observe(S(21), 0));
        Assert.Null(pace.Observe(S(21.25), 1));
        var estimate = pace.Observe(S(22.25), 5);

        Assert.NotNull(estimate);
        Assert.InRange(estimate!.Value.TotalSeconds, 23.5, 24.5);
    }

    [Fact]
    public void The_estimate_follows_a_steady_pace_and_shrinks_as_the_copy_goes_on()
    {
        var pace = new ProgressPace();
        pace.Observe(S(10), 10);

        Assert.Equal(S(35), pace.Observe(S(20), 30)); // 2% a second, 70% left
        Assert.Equal(S(25), pace.Observe(S(30), 50));
        Assert.Equal(S(5), pace.Observe(S(50), 90));
    }

    [Fact]
    public void A_stall_lengthens_the_estimate()
    {
        var pace = new ProgressPace();
        pace.Observe(S(0), 10);
        var before = pace.Observe(S(10), 20)!.Value;

        var after = pace.Observe(S(40), 20)!.Value;

        Assert.True(after > before, after + " should be longer than " + before);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(150)]
    public void No_estimate_without_a_percentage_inside_the_copy(int? percent)
    {
        var pace = new ProgressPace();
        pace.Observe(S(0), 10);
        pace.Observe(S(5), 20);

        Assert.Null(pace.Observe(S(10), percent));
    }

    [Fact]
    public void No_estimate_until_the_percentage_has_moved_and_a_service_going_back_starts_over()
    {
        var pace = new ProgressPace();
        Assert.Null(pace.Observe(S(0), 40)); // attached mid-copy: no pace yet
        Assert.Null(pace.Observe(S(5), 40));
        Assert.Equal(S(50), pace.Observe(S(10), 50)); // 1% a second since 40%

        Assert.Null(pace.Observe(S(12), 5)); // a retried copy
        Assert.Equal(S(94), pace.Observe(S(13), 6));
    }
}
