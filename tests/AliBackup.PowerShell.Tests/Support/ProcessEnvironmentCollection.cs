namespace AliBackup.PowerShell.Tests.Support;

/// <summary>Tests that change process-wide state (environment variables, HOME) run alone, never beside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
