using System;
using System.Collections.Generic;
using System.Linq;

namespace AliBackup.Service.Endpoints
{
    /// <summary>
    /// One Alibaba Cloud OpenAPI product: its API version and how its host is found for a region. Central regions
    /// share the product's central host; every other region uses <c>&lt;prefix&gt;.&lt;region&gt;.aliyuncs.com</c>.
    /// </summary>
    public sealed class ApiProduct
    {
        public ApiProduct(string productId, string version, string hostPrefix, IEnumerable<string> centralRegions, IEnumerable<string> knownRegions)
        {
            ProductId = productId;
            Version = version;
            HostPrefix = hostPrefix;
            CentralRegions = new HashSet<string>(centralRegions, StringComparer.OrdinalIgnoreCase);
            KnownRegions = knownRegions.ToArray();
        }

        /// <summary>The product code used in docs and RAM (e.g. <c>r-kvstore</c>, <c>dds</c>).</summary>
        public string ProductId { get; }

        /// <summary>The API version sent in <c>x-acs-version</c>.</summary>
        public string Version { get; }

        /// <summary>The host prefix (<c>mongodb</c> for dds: the SDK's <c>dds.</c> fallback is wrong).</summary>
        public string HostPrefix { get; }

        /// <summary>Regions served by the central host <c>&lt;prefix&gt;.aliyuncs.com</c>.</summary>
        public IReadOnlyCollection<string> CentralRegions { get; }

        /// <summary>Regions the product's metadata lists (used for completion and hints, not to refuse new regions).</summary>
        public IReadOnlyList<string> KnownRegions { get; }

        /// <summary>The public host for a region.</summary>
        public string HostFor(string region)
        {
            if (string.IsNullOrWhiteSpace(region)) throw new ArgumentException("A region is required.", nameof(region));
            // Nothing but a checked region is ever spliced into a host name.
            var checkedRegion = InputValidation.Region(region, "-Region");
            return CentralRegions.Contains(checkedRegion)
                ? HostPrefix + ".aliyuncs.com"
                : HostPrefix + "." + checkedRegion + ".aliyuncs.com";
        }

        public override string ToString() => ProductId + " " + Version;
    }
}
