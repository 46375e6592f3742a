namespace AliBackup.Emulator.Wire;

/// <summary>An AccessKey pair the emulator accepts; with a security token it stands for STS credentials.</summary>
public sealed record EmulatorKey(string AccessKeyId, string AccessKeySecret, string? SecurityToken = null, DateTimeOffset? Expiration = null);
