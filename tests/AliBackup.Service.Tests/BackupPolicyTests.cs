using AliBackup.Emulator.State;
using AliBackup.Service.Policies;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

/// <summary>Backup policies of all four products against the emulator, and the format checks made before anything is sent.</summary>
public class BackupPolicyTests
{
    public static TheoryData<EmulatedProduct, string, string, string> Products() => new()
    {
        // product, instance, the ModifyBackupPolicy retention parameter, the instance parameter
        { EmulatedProduct.Redis, "r-policy00000001", "BackupRetentionPeriod", "InstanceId" },
        { EmulatedProduct.PolarDB, "pc-policy0000001", "DataLevel1BackupRetentionPeriod", "DBClusterId" },
        { EmulatedProduct.MongoDB, "dds-policy000001", "BackupRetentionPeriod", "DBInstanceId" },
        { EmulatedProduct.RDS, "rm-policy0000001", "BackupRetentionPeriod", "DBInstanceId" },
    };

    [Theory]
    [MemberData(nameof(Products))]
    public async Task Set_changes_window_days_and_retention_and_returns_the_policy_as_the_service_then_reports_it(EmulatedProduct product, string id, string retentionParameter, string instanceParameter)
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = id, Product = product });
        var policies = new PolicyService(emu.Service());

        var before = await policies.GetAsync(emu.Target, id, null, CancellationToken.None);
        Assert.Equal(("05:00Z-06:00Z", 7, 7), (before.BackupWindow, before.BackupDays.Length, before.RetentionDays));
        Assert.NotNull(before.NextBackupTime);
        Assert.Equal("05:00Z-06:00Z", before.ProductFields["PreferredBackupTime"]);
        emu.Server.State.ClearRequests();

        var after = await policies.SetAsync(emu.Target, id, null,
            new BackupPolicyChange { BackupWindow = "22:00Z-23:00Z", BackupDays = [DayOfWeek.Thursday, DayOfWeek.Monday], RetentionDays = 10 }, CancellationToken.None);

        Assert.Equal("22:00Z-23:00Z", after.BackupWindow);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Thursday], after.BackupDays);
        Assert.Equal(10, after.RetentionDays);
        Assert.Equal(22, after.NextBackupTime!.Value.Hour);
        Assert.Contains(after.NextBackupTime.Value.DayOfWeek, new[] { DayOfWeek.Monday, DayOfWeek.Thursday });
        Assert.Equal((BackupEngine)Enum.Parse(typeof(BackupEngine), product.ToString()), after.Engine);
        Assert.Equal(1, instance.Policy.Modifications);
        var modify = Assert.Single(emu.Server.State.Requests, r => r.Action == "ModifyBackupPolicy");
        Assert.Equal(id, modify.Parameters[instanceParameter]);
        Assert.Equal("10", modify.Parameters[retentionParameter]);
        Assert.Equal("Monday,Thursday", modify.Parameters["PreferredBackupPeriod"]);
        Assert.Equal(["DescribeBackupPolicy", "ModifyBackupPolicy", "DescribeBackupPolicy"], emu.Server.State.Requests.Select(r => r.Action));
    }

    [Theory]
    [InlineData(EmulatedProduct.Redis, "r-logbackup00001", "EnableBackupLog", "1")]
    [InlineData(EmulatedProduct.MongoDB, "dds-logbackup0001", "EnableBackupLog", "1")]
    [InlineData(EmulatedProduct.RDS, "rm-logbackup00001", "BackupLog", "Enable")]
    public async Task Log_backup_is_switched_with_each_products_own_parameter(EmulatedProduct product, string id, string parameter, string value)
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = id, Product = product });
        var policies = new PolicyService(emu.Service());

        var after = await policies.SetAsync(emu.Target, id, null, new BackupPolicyChange { LogBackup = true }, CancellationToken.None);

        Assert.True(after.LogBackup);
        var modify = Assert.Single(emu.Server.State.Requests, r => r.Action == "ModifyBackupPolicy");
        Assert.Equal(value, modify.Parameters[parameter]);
        // The settings the service wants every time went out as they stood.
        Assert.Equal("05:00Z-06:00Z", modify.Parameters["PreferredBackupTime"]);
    }

    [Theory]
    [InlineData("r-bad000000000001", "02:30Z-03:30Z", null, null, null, "BackupWindow")]
    [InlineData("r-bad000000000001", "02:00Z-04:00Z", null, null, null, "BackupWindow")]
    [InlineData("r-bad000000000001", "2:00Z-3:00Z", null, null, null, "BackupWindow")]
    [InlineData("r-bad000000000001", "23:00Z-24:00Z", null, null, null, "BackupWindow")]
    [InlineData("r-bad000000000001", null, null, 3, null, "RetentionDays")]
    [InlineData("pc-bad00000000001", null, "Monday", null, null, "BackupDays")]
    [InlineData("pc-bad00000000001", null, null, 30, null, "RetentionDays")]
    [InlineData("pc-bad00000000001", null, null, null, true, "LogBackup")]
    [InlineData("rm-bad00000000001", null, "Sunday", null, null, "BackupDays")]
    [InlineData("rm-bad00000000001", null, null, 731, null, "RetentionDays")]
    [InlineData("dds-bad0000000001", null, null, 0, null, "RetentionDays")]
    [InlineData("dds-bad0000000001", null, null, null, null, "BackupWindow")]
    public async Task A_value_the_service_would_refuse_is_an_error_naming_the_parameter_and_nothing_is_sent(string id, string? window, string? day, int? retention, bool? log, string parameter)
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        var policies = new PolicyService(emu.Service());
        var change = new BackupPolicyChange
        {
            BackupWindow = window,
            BackupDays = day == null ? null : [Enum.Parse<DayOfWeek>(day)],
            RetentionDays = retention,
            LogBackup = log,
        };

        var error = await Assert.ThrowsAsync<AliBackupConfigurationException>(() => policies.SetAsync(emu.Target, id, null, change, CancellationToken.None));

        Assert.Equal(parameter, error.ParameterName);
        Assert.Contains("-" + parameter, error.Message);
        Assert.Empty(emu.Server.State.Requests);
    }

    [Theory]
    [InlineData(EmulatedProduct.Redis, "r-emuerr00000001", "PreferredBackupTime", "InvalidPreferredBackupTime.Malformed")]
    [InlineData(EmulatedProduct.PolarDB, "pc-emuerr0000001", "PreferredBackupTime", "InvalidPreferredBackupTime.Malformed")]
    [InlineData(EmulatedProduct.MongoDB, "dds-emuerr000001", "PreferredBackupTime", "InvalidPreferredBackupTime.Malformed")]
    [InlineData(EmulatedProduct.RDS, "rm-emuerr0000001", "PreferredBackupTime", "InvalidPreferredBackupTime.Format")]
    public async Task The_emulator_refuses_a_bad_window_with_the_products_own_code(EmulatedProduct product, string id, string parameter, string code)
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = id, Product = product });
        var engine = Engines.EngineCatalog.Resolve(id, null);
        var channel = emu.Service().Channel(engine, emu.Target);
        var request = channel.Request("ModifyBackupPolicy")
            .With(id.StartsWith("r-") ? "InstanceId" : id.StartsWith("pc-") ? "DBClusterId" : "DBInstanceId", id)
            .With(parameter, "02:30Z-03:30Z")
            .With("PreferredBackupPeriod", "Monday,Friday")
            .With("BackupRetentionPeriod", "7");

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() => channel.CallAsync(request, CancellationToken.None));

        Assert.Equal((code, 400), (error.Code, error.HttpStatus));
    }

    [Fact]
    public void Days_are_read_and_written_in_week_order_and_unknown_words_are_dropped()
    {
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Sunday], PolicyReaders.ParseDays("Sunday, Monday,Wednesday,Funday,3"));
        Assert.Equal("Monday,Sunday", PolicyReaders.Days([DayOfWeek.Sunday, DayOfWeek.Monday, DayOfWeek.Sunday]));
        Assert.Empty(PolicyReaders.ParseDays(""));
        Assert.Equal(3, BackupPolicyChange.ParseWindowStart("03:00Z-04:00Z"));
        Assert.Equal(23, BackupPolicyChange.ParseWindowStart("23:00Z-00:00Z"));
    }
}
