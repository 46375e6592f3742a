using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Serves the module's .NET Framework dependencies (System.Text.Json and the packages under it, staged in
    /// Desktop/ beside this assembly) to Windows PowerShell 5.1, which has no copy of them and no binding redirects
    /// for a module. It is registered on .NET Framework only; on PowerShell 7 the runtime's own copies are used and
    /// this never runs.
    ///
    /// It answers only for file names present in Desktop/, and only with a file at least as new as the version
    /// asked for, so another module's requests for other assemblies (or newer versions) pass through untouched.
    /// </summary>
    internal static class DesktopDependencyResolver
    {
        public const string FolderName = "Desktop";

        private static readonly object Gate = new object();
        private static Dictionary<string, string>? s_files;
        private static bool s_registered;

        /// <summary>True on .NET Framework (Windows PowerShell), where System.Object lives in mscorlib.</summary>
        public static bool IsNetFramework { get; } = string.Equals(typeof(object).Assembly.GetName().Name, "mscorlib", StringComparison.Ordinal);

        /// <summary>Whether the handler is hooked up (never on PowerShell 7).</summary>
        public static bool IsRegistered
        {
            get { lock (Gate) return s_registered; }
        }

        /// <summary>The folder the handler serves: Desktop/ beside the module assembly.</summary>
        public static string Folder { get; } =
            Path.Combine(Path.GetDirectoryName(typeof(DesktopDependencyResolver).Assembly.Location) ?? ".", FolderName);

        public static void Register()
        {
            lock (Gate)
            {
                if (s_registered) return;
                s_files = IndexFolder(Folder);
                AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
                s_registered = true;
            }

            // The PowerShell 7 builds of Microsoft.Bcl.* sit beside the module assembly, where .NET Framework's
            // load-from probing would find them before ever raising AssemblyResolve. Loading the .NET Framework builds
            // of those few names first makes later binds by the same identity reuse them.
            foreach (var shadowed in ShadowedByModuleFolder())
                Assembly.LoadFrom(shadowed);
        }

        public static void Unregister()
        {
            lock (Gate)
            {
                if (!s_registered) return;
                AppDomain.CurrentDomain.AssemblyResolve -= OnAssemblyResolve;
                s_registered = false;
            }
        }

        /// <summary>
        /// The file in <paramref name="folder"/> that answers a request for <paramref name="requested"/>, or null when
        /// this handler must not answer it (not one of its files, or older than asked for, or a different signer).
        /// </summary>
        public static string? PathFor(AssemblyName requested, string folder) => PathFor(requested, IndexFolder(folder));

        private static string? PathFor(AssemblyName requested, IReadOnlyDictionary<string, string> files)
        {
            if (requested.Name == null || !files.TryGetValue(requested.Name, out var path)) return null;
            var candidate = AssemblyName.GetAssemblyName(path);
            if (requested.Version != null && candidate.Version != null && candidate.Version < requested.Version) return null;
            var wantedToken = requested.GetPublicKeyToken();
            if (wantedToken != null && wantedToken.Length > 0 && !SameBytes(wantedToken, candidate.GetPublicKeyToken())) return null;
            return path;
        }

        private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
        {
            Dictionary<string, string>? files;
            lock (Gate) files = s_files;
            if (files == null) return null;
            var path = PathFor(new AssemblyName(args.Name), files);
            return path == null ? null : Assembly.LoadFrom(path);
        }

        private static IEnumerable<string> ShadowedByModuleFolder()
        {
            var moduleFolder = Path.GetDirectoryName(Folder) ?? ".";
            Dictionary<string, string>? files;
            lock (Gate) files = s_files;
            if (files == null) yield break;
            foreach (var pair in files)
                if (File.Exists(Path.Combine(moduleFolder, pair.Key + ".dll"))) yield return pair.Value;
        }

        private static Dictionary<string, string> IndexFolder(string folder)
        {
            var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (Directory.Exists(folder))
                foreach (var file in Directory.GetFiles(folder, "*.dll"))
                    files[Path.GetFileNameWithoutExtension(file)] = file;
            return files;
        }

        private static bool SameBytes(byte[] a, byte[]? b)
        {
            if (b == null || a.Length != b.Length) return false;
            for (var i = 0; i < a.Length; i++)
                if (a[i] != b[i]) return false;
            return true;
        }
    }
}
