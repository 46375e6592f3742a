using System;
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
        /// for a loopback host such as the emulator).
        /// </summary>
        public static Uri ParseEndpoint(string endpoint)
        {
            var text = endpoint.Trim();
            Uri? uri;
            if (text.IndexOf("://", StringComparison.Ordinal) >= 0)
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out uri))
                    throw BadEndpoint(endpoint, "it is not a valid URL");
            }
            else
            {
                if (!Uri.TryCreate("https://" + text, UriKind.Absolute, out uri))
                    throw BadEndpoint(endpoint, "it is not a valid host name");
                if (IsLoopback(uri.Host)) uri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.IsDefaultPort ? 80 : uri.Port }.Uri;
            }

            if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                throw BadEndpoint(endpoint, "only https (or http to a loopback address) is supported");
            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri.Host))
                throw BadEndpoint(endpoint, "plain http is allowed only for loopback hosts such as the emulator; use https");
            if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
                throw BadEndpoint(endpoint, "give only the scheme, host and port (RPC calls always use the path /)");
            return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        }

        public static bool IsLoopback(string host)
        {
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
            var bare = host.Trim('[', ']');
            return IPAddress.TryParse(bare, out var ip) && IPAddress.IsLoopback(ip);
        }

        private static AliBackupConfigurationException BadEndpoint(string endpoint, string why) =>
            new AliBackupConfigurationException(
                "The endpoint '" + endpoint + "' cannot be used: " + why + ". Pass -Endpoint as https://host or http://127.0.0.1:port.",
                "Endpoint");
    }
}
