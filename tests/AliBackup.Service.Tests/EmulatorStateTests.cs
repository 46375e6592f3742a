using AliBackup.Emulator;
using AliBackup.Emulator.State;

namespace AliBackup.Service.Tests;

/// <summary>The emulator's seeded history: what a runbook rehearsal sees before it makes a backup of its own.</summary>
public class EmulatorStateTests
{
    [Fact]
    public async Task Every_demo_backup_has_a_positive_size_and_older_ones_are_smaller()
    {
        await using var server = await EmulatorServer.StartAsync(EmulatorOptions.WithDemoKey());

        foreach (var instance in server.State.Instances)
        {
            var history = server.State.BackupsOf(instance).OrderBy(b => b.StartTime).ToList();
            Assert.NotEmpty(history);
            Assert.All(history, b => Assert.True(b.SizeBytes > 0, instance.Id + " backup " + b.BackupId + " has size " + b.SizeBytes));
            Assert.All(history.Zip(history.Skip(1)), pair => Assert.True(pair.First.SizeBytes <= pair.Second.SizeBytes, instance.Id + ": an older backup is bigger"));
            Assert.All(history, b => Assert.True(b.SizeBytes <= instance.BackupSizeBytes));
        }
    }

    [Theory]
    [InlineData(1_024, 250)]
    [InlineData(6_168_576, 7)]
    [InlineData(52_428_800, 400)]
    public void A_long_history_of_a_small_instance_never_reaches_zero(long size, int days)
    {
        var state = new EmulatorState(TimeProvider.System, TimeSpan.FromSeconds(1));

        var instance = state.AddInstance(new EmulatedInstance { Id = "dds-small0000001", Product = EmulatedProduct.MongoDB, BackupSizeBytes = size }, historicalBackups: days);

        var history = state.BackupsOf(instance);
        Assert.Equal(days, history.Count);
        Assert.All(history, b => Assert.InRange(b.SizeBytes, 1, size));
    }
}
