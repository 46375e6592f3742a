using System.Management.Automation;
using AliBackup.Service;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Connect-AliBackup: sets this PowerShell session's credentials (-Credential or -Profile), region and endpoint for
    /// every later AliBackup command, after proving the credentials with STS GetCallerIdentity: a wrong key or secret
    /// fails here and leaves the session as it was. Each call replaces the previous settings; parameters of a command
    /// still win over them. Without -Credential and -Profile the default chain is checked and used.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "AliBackup")]
    [OutputType(typeof(AliBackupContext))]
    public sealed class ConnectAliBackupCommand : AliBackupCmdlet
    {
        /// <summary>Writes the resulting context (as Get-AliBackupContext does).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        // The new settings are checked on their own, not merged with the ones they replace.
        protected override bool UsesSessionDefaults => false;

        protected override string CredentialParameterSource => SessionDefaultsSource;

        protected override void EndProcessing()
        {
            var credential = Credential == null ? null : ToAliCredential(Credential, SessionDefaultsSource);
            RunAsync(async (output, token) =>
            {
                var context = await Service.GetContextAsync(Region, Endpoint, Engine, token).ConfigureAwait(false);
                var identity = await Service.VerifyCredentialsAsync(Endpoint, token).ConfigureAwait(false);
                output.Post(() =>
                {
                    var session = Session;
                    session.Credential = credential;
                    session.Profile = Profile;
                    session.Region = Region;
                    session.Endpoint = Endpoint;
                    WriteVerbose("AliBackup commands in this session now use credentials from " + context.CredentialSource + " (AccessKeyId " + context.AccessKeyId +
                                 (identity.Arn == null ? "" : ", " + identity.Arn) + ")" +
                                 (context.Region == null ? "" : ", region " + context.Region + " (" + context.RegionSource + ")") +
                                 (context.Endpoint == null ? "" : ", endpoint " + context.Endpoint) + ".");
                    if (PassThru) WriteObject(context);
                });
            });
        }
    }
}
