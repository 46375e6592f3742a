namespace AliBackup
{
    /// <summary>The database product a backup belongs to.</summary>
    public enum BackupEngine
    {
        /// <summary>ApsaraDB for Redis / Tair (API r-kvstore 2015-01-01); instance IDs start with <c>r-</c>.</summary>
        Redis,

        /// <summary>PolarDB (API polardb 2017-08-01); cluster IDs start with <c>pc-</c>.</summary>
        PolarDB,

        /// <summary>ApsaraDB for MongoDB (API dds 2015-12-01); instance IDs start with <c>dds-</c>.</summary>
        MongoDB,

        /// <summary>ApsaraDB RDS (API rds 2014-08-15); instance IDs start with <c>rm-</c>, <c>pgm-</c>, <c>rr-</c> or <c>pgr-</c>.</summary>
        RDS,
    }
}
