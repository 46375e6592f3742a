using System.Management.Automation;
using AliBackup.PowerShell.Internal;
using AliBackup.Service;
using AliBackup.Service.Endpoints;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Connect-AliBackup: sets this PowerShell session's credentials (-Credential or -Profile), region and endpoint for
    /// every later AliBackup command, after checking that the credentials can be obtained. Each call replaces the
    /// previous settings; parameters of a command still win over them. Without -Credential and -Profile the default
    /// chain is checked and used.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "AliBackup", HelpUri = Internal.OnlineHelp.Docs + "Connect-AliBackup.md")]
    [OutputType(typeof(AliBackupContext))]
    public sealed class ConnectAliBackupCommand : AliBackupCmdlet
    {
        /// <summary>Writes the resulting context (as Get-AliBackupContext does).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        // The new settings are checked on their own, not merged with the ones they replace.
        protected override bool UsesSessionDefaults => false;

        protected override string CredentialParameterSource => SessionDefaultsSource;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Endpoint != null)
            {
                try
                {
                    EndpointResolver.ParseEndpoint(Endpoint);
                }
                catch (AliBackupConfigurationException ex)
                {
                    ThrowTerminatingError(ErrorRecords.From(ex, Endpoint));
                }
            }
        }

        protected override void EndProcessing()
        {
            var credential = Credential == null ? null : ToAliCredential(Credential, SessionDefaultsSource);
            RunAsync(async (output, token) =>
            {
                var context = await Service.GetContextAsync(Region, Endpoint, Engine, token).ConfigureAwait(false);
                output.Post(() =>
                {
                    var session = Session;
                    session.Credential = credential;
                    session.Profile = Profile;
                    session.Region = Region;
                    session.Endpoint = Endpoint;
                    WriteVerbose("AliBackup commands in this session now use credentials from " + context.CredentialSource + " (AccessKeyId " + context.AccessKeyId + ")" +
                                 (context.Region == null ? "" : ", region " + context.Region + " (" + context.RegionSource + ")") +
                                 (context.Endpoint == null ? "" : ", endpoint " + context.Endpoint) + ".");
                    if (PassThru) WriteObject(context);
                });
            });
        }
    }
}
