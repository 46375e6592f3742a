using System;
using System.Linq;
using System.Net;

namespace AliBackup.Service.Endpoints
{
    /// <summary>
    /// Turns a region or an explicit endpoint into the base URI requests go to. An explicit endpoint (the
    /// <c>-Endpoint</c> parameter or <c>ALIBACKUP_ENDPOINT</c>) wins; plain http is refused unless the host is
    /// loopback, so credentials and signatures never cross a network unencrypted.
    /// </summary>
    public static class EndpointResolver
    {
        public const string EndpointEnvironmentVariable = "ALIBACKUP_ENDPOINT";

        public static Uri Resolve(ApiProduct product, string? region, string? endpoint)
        {
            if (!string.IsNullOrWhiteSpace(endpoint)) return ParseEndpoint(endpoint!);
            if (string.IsNullOrWhiteSpace(region))
            {
                throw new AliBackupConfigurationException(
                    "No region is set, so the " + product.ProductId + " endpoint cannot be chosen. Pass -Region (for example -Region cn-hangzhou), " +
                    "set it for the session with Connect-AliBackup -Region, set ALIBABA_CLOUD_REGION_ID, or set region_id in your aliyun CLI profile.",
                    "Region");
            }
            return new Uri("https://" + product.HostFor(region!) + "/");
        }

        /// <summary>
        /// Accepts <c>https://host[:port]</c>, <c>http://loopback[:port]</c>, or a bare <c>host[:port]</c> (https, or http
        /// for a loopback host such as the emulator). <paramref name="source"/> names where the value came from
        /// (<c>-Endpoint</c>, <c>ALIBACKUP_ENDPOINT</c>, …) in the error. A user name or password in it is refused and
        /// never shown.
        /// </summary>
        public static Uri ParseEndpoint(string endpoint, string source = "-Endpoint")
        {
            var text = endpoint.Trim();
            if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                throw BadEndpoint(endpoint, source, "it holds a space, line break or control character");
            Uri? uri;
            if (text.IndexOf("://", StringComparison.Ordinal) >= 0)
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out uri))
                    throw BadEndpoint(endpoint, source, "it is not a valid URL");
            }
            else
            {
                if (!Uri.TryCreate("https://" + text, UriKind.Absolute, out uri))
                    throw BadEndpoint(endpoint, source, "it is not a valid host name");
                if (uri.UserInfo.Length == 0 && IsLoopback(uri.Host)) uri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.IsDefaultPort ? 80 : uri.Port }.Uri;
            }

            if (uri.UserInfo.Length > 0 || text.IndexOf('@') >= 0)
                throw BadEndpoint(endpoint, source, "it carries a user name or password (shown here as ***); credentials never go in the endpoint, pass them with -Credential or -Profile");
            if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                throw BadEndpoint(endpoint, source, "only https (or http to a loopback address) is supported");
            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri.Host))
                throw BadEndpoint(endpoint, source, "plain http is allowed only for loopback hosts such as the emulator; use https");
            if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || text.IndexOf('#') >= 0)
                throw BadEndpoint(endpoint, source, "give only the scheme, host and port (RPC calls always use the path /)");
            return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        }

        public static bool IsLoopback(string host)
        {
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
            var bare = host.Trim('[', ']');
            return IPAddress.TryParse(bare, out var ip) && IPAddress.IsLoopback(ip);
        }

        /// <summary>An endpoint as it may be shown: any user name or password replaced by <c>***</c>, control characters escaped.</summary>
        public static string Display(string endpoint)
        {
            var text = endpoint.Trim();
            var at = text.LastIndexOf('@');
            if (at >= 0)
            {
                var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
                var start = schemeEnd >= 0 && schemeEnd < at ? schemeEnd + 3 : 0;
                text = text.Substring(0, start) + "***" + text.Substring(at);
            }
            return InputValidation.Show(text);
        }

        private static AliBackupConfigurationException BadEndpoint(string endpoint, string source, string why)
        {
            var isParameter = source.StartsWith("-", StringComparison.Ordinal);
            var fix = isParameter ? "Pass " + source + " as https://host or http://127.0.0.1:port."
                : source == EndpointEnvironmentVariable ? "Set " + source + " to https://host or http://127.0.0.1:port, or remove it to use the region's endpoint."
                : "Give https://host or http://127.0.0.1:port.";
            return new AliBackupConfigurationException(
                (isParameter ? "The endpoint " : source + " ") + Display(endpoint) + " cannot be used: " + why + ". " + fix,
                isParameter ? source.Substring(1) : null);
        }
    }
}
