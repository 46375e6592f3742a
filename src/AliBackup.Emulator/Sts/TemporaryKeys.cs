using System.Security.Cryptography;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Sts;

/// <summary>Who a key pair stands for, as GetCallerIdentity reports it.</summary>
public sealed record CallerIdentity(string AccountId, string Arn, string IdentityType, string PrincipalId, string? UserId = null, string? RoleId = null);

/// <summary>
/// Issues temporary key pairs (STS.* ID, secret, security token, expiration) the way STS and the ECS metadata service
/// do, and registers each with the signature verifier, which then rejects it once it has expired.
/// </summary>
public sealed class TemporaryKeys(Action<EmulatorKey> accept, TimeProvider wallClock)
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly Dictionary<string, CallerIdentity> _identities = new(StringComparer.Ordinal);
    private readonly List<EmulatorKey> _issued = [];

    /// <summary>Every key pair issued so far (tests scan their output for these secrets and tokens).</summary>
    public IReadOnlyList<EmulatorKey> Issued
    {
        get { lock (_issued) return _issued.ToList(); }
    }

    /// <summary>A new temporary key pair valid for <paramref name="lifetime"/> from now (whole seconds, as the wire carries it).</summary>
    public EmulatorKey Issue(TimeSpan lifetime, CallerIdentity identity)
    {
        var now = wallClock.GetUtcNow();
        var expiration = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero) + lifetime;
        // Real tokens are long Base64 text starting with CAIS; '+', '/' and '=' in them exercise every encoder on the way.
        var key = new EmulatorKey("STS." + Random(24), Random(30), "CAIS" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(180)), expiration);
        lock (_issued)
        {
            _issued.Add(key);
            _identities[key.AccessKeyId] = identity;
        }
        accept(key);
        return key;
    }

    /// <summary>The identity behind an issued key, or null for a key the emulator was configured with.</summary>
    public CallerIdentity? IdentityOf(string accessKeyId)
    {
        lock (_issued) return _identities.GetValueOrDefault(accessKeyId);
    }

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphanumeric, length);
}
