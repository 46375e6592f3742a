using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using AliBackup.PowerShell.Completion;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Lets async work running off the pipeline thread produce output: every call queues an action that the cmdlet
    /// runs on the pipeline thread (PowerShell allows Write* only there).
    /// </summary>
    internal sealed class PipelineOutput
    {
        private readonly BlockingCollection<Action> _queue;
        private readonly PSCmdlet _cmdlet;

        public PipelineOutput(PSCmdlet cmdlet, BlockingCollection<Action> queue)
        {
            _cmdlet = cmdlet;
            _queue = queue;
        }

        public void WriteObject(object item) => _queue.Add(() =>
        {
            // On the pipeline thread, so the history is this runspace's (for -InstanceId completion).
            InstanceIdHistory.Record(item);
            _cmdlet.WriteObject(item);
        });

        public void WriteObjects<T>(IEnumerable<T> items)
        {
            foreach (var item in items) WriteObject(item!);
        }

        public void WriteError(ErrorRecord record) => _queue.Add(() => _cmdlet.WriteError(record));

        public void WriteWarning(string text) => _queue.Add(() => _cmdlet.WriteWarning(text));

        public void WriteVerbose(string text) => _queue.Add(() => _cmdlet.WriteVerbose(text));

        public void WriteDebug(string text) => _queue.Add(() => _cmdlet.WriteDebug(text));

        public void WriteProgress(ProgressRecord record) => _queue.Add(() => _cmdlet.WriteProgress(record));

        public void WriteInformation(string text, params string[] tags) => _queue.Add(() =>
        {
            var record = new InformationRecord(text, _cmdlet.MyInvocation.MyCommand.Name);
            record.Tags.AddRange(tags);
            _cmdlet.WriteInformation(record);
        });

        /// <summary>Runs <paramref name="action"/> on the pipeline thread.</summary>
        public void Post(Action action) => _queue.Add(action);

        /// <summary>
        /// Completes once the pipeline thread has handled everything queued so far. Awaiting it between pages keeps
        /// fetching lazy: nothing more is requested until what was fetched has been written downstream.
        /// </summary>
        public Task FlushAsync()
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Add(() => done.TrySetResult(true));
            return done.Task;
        }
    }
}
