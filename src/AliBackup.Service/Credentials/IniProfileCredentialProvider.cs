using System;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// A section of the SDKs' INI credentials file (the chain's <c>profile</c> link): section <c>ALIBABA_CLOUD_PROFILE</c>,
    /// else <c>default</c>; <c>type</c> is <c>access_key</c>, <c>ecs_ram_role</c> or <c>ram_role_arn</c>. Any other type is
    /// an error naming it.
    /// </summary>
    public sealed class IniProfileCredentialProvider : ICredentialProvider, IFingerprintedCredentialProvider, IRefreshableCredentialProvider
    {
        private readonly CredentialContext _context;
        private readonly string? _sectionName;
        private ICredentialProvider? _inner;

        public IniProfileCredentialProvider(CredentialContext context, string? sectionName = null)
        {
            _context = context;
            _sectionName = sectionName;
        }

        public string Name => "profile";

        public string Fingerprint => (_inner as IFingerprintedCredentialProvider)?.Fingerprint ?? "profile|" + _sectionName;

        public bool Invalidate(AliCredential rejected) => (_inner as IRefreshableCredentialProvider)?.Invalidate(rejected) == true;

        public async Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken)
        {
            var inner = _inner ??= Build();
            return await inner.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
        }

        private ICredentialProvider Build()
        {
            var env = _context.Environment;
            var file = IniCredentialsFile.Load(IniCredentialsFile.PathFor(env));
            var name = _sectionName ?? env.Get(CliProfileStore.ProfileVariable) ?? "default";
            var names = string.Join(", ", file.SectionNames);
            var section = file.Section(name) ?? throw new AliBackupCredentialException(
                "The credentials file " + file.Path + " has no section [" + name + "]" + (names.Length > 0 ? " (it has: " + names + ")." : "."));
            string? Read(string key) => section.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

            var label = "profile:" + name;
            var type = Read("type") ?? throw new AliBackupCredentialException("Section [" + name + "] of " + file.Path + " has no type.");
            switch (type)
            {
                case "access_key":
                    return new StaticCredentialProvider(StaticKeys(Read, name, file.Path, label));
                case "ecs_ram_role":
                    return new EcsRamRoleCredentialProvider(_context, Read("role_name"), label + "/ecs_ram_role");
                case "ram_role_arn":
                {
                    var roleArn = Read("role_arn") ?? throw new AliBackupCredentialException("Section [" + name + "] of " + file.Path + " (ram_role_arn) has no role_arn.");
                    var request = new RoleSessionRequest(roleArn, RoleSessionNames.Choose(Read("role_session_name"), env), RoleSessionNames.DefaultDurationSeconds)
                    {
                        Policy = Read("policy"),
                    };
                    return new RamRoleArnCredentialProvider(_context, new StaticCredentialProvider(StaticKeys(Read, name, file.Path, label)), request, null,
                        label + "/ram_role_arn");
                }
                default:
                    throw new AliBackupCredentialException("Section [" + name + "] of " + file.Path + " has type '" + type +
                                                           "', which is not supported. Supported types: access_key, ecs_ram_role, ram_role_arn.");
            }
        }

        private static AliCredential StaticKeys(Func<string, string?> read, string section, string path, string label)
        {
            var id = read("access_key_id");
            var secret = read("access_key_secret");
            if (id == null || secret == null)
                throw new AliBackupCredentialException("Section [" + section + "] of " + path + " lacks access_key_id or access_key_secret.");
            return new AliCredential(id, secret, providerName: label);
        }
    }
}
