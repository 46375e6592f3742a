using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.PowerShell.Completion;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Lets async work running off the pipeline thread produce output: every call queues an action that the cmdlet
    /// runs on the pipeline thread (PowerShell allows Write* only there), via <see cref="Pump"/>.
    /// </summary>
    /// <remarks>
    /// The pipeline thread may stop pumping at any moment: downstream is satisfied (<c>Select-Object -First</c>), a
    /// downstream command or <c>-ErrorAction Stop</c> throws, or Ctrl+C. So nothing the worker waits for may depend on
    /// the pump going on: every acknowledgement (<see cref="FlushAsync"/>) completes or is cancelled with the token, and
    /// queueing after the pump has ended throws <see cref="OperationCanceledException"/> instead of blocking or
    /// leaking an <see cref="InvalidOperationException"/>.
    /// </remarks>
    internal sealed class PipelineOutput
    {
        // A plain monitor-guarded queue, not a BlockingCollection: the pipeline thread waits without spinning first
        // (BlockingCollection's SemaphoreSlim spun on every wait, a measurable share of a one-call command's CPU).
        private readonly Queue<Action> _queue = new Queue<Action>();
        // The module's own cmdlet type, so verbose and warning lines take its -Debug-aware WriteVerbose/WriteWarning.
        private readonly Commands.AliBackupCmdlet _cmdlet;
        private readonly CancellationToken _token;
        private bool _completed;

        public PipelineOutput(Commands.AliBackupCmdlet cmdlet, CancellationToken token)
        {
            _cmdlet = cmdlet;
            _token = token;
        }

        public void WriteObject(object item) => Enqueue(() =>
        {
            // On the pipeline thread, so the history is this runspace's (for -InstanceId completion).
            InstanceIdHistory.Record(item);
            _cmdlet.WriteObject(item);
        });

        public void WriteObjects<T>(IEnumerable<T> items)
        {
            foreach (var item in items) WriteObject(item!);
        }

        public void WriteError(ErrorRecord record) => Enqueue(() => _cmdlet.WriteError(record));

        public void WriteWarning(string text) => Enqueue(() => _cmdlet.WriteWarning(text));

        public void WriteVerbose(string text) => Enqueue(() => _cmdlet.WriteVerbose(text));

        public void WriteDebug(string text) => Enqueue(() => _cmdlet.WriteDebug(text));

        public void WriteProgress(ProgressRecord record) => Enqueue(() => _cmdlet.WriteProgress(record));

        public void WriteInformation(string text, params string[] tags) => Enqueue(() =>
        {
            var record = new InformationRecord(text, _cmdlet.MyInvocation.MyCommand.Name);
            record.Tags.AddRange(tags);
            _cmdlet.WriteInformation(record);
        });

        /// <summary>Runs <paramref name="action"/> on the pipeline thread.</summary>
        public void Post(Action action) => Enqueue(action);

        /// <summary>
        /// Completes once the pipeline thread has handled everything queued so far. Awaiting it between pages keeps
        /// fetching lazy: nothing more is requested until what was fetched has been written downstream. It is
        /// cancelled with the cmdlet's token, so a pump that stopped never leaves the worker waiting.
        /// </summary>
        public Task FlushAsync()
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var registration = _token.Register(() => done.TrySetCanceled(_token));
            Enqueue(() =>
            {
                registration.Dispose();
                done.TrySetResult(true);
            });
            return done.Task;
        }

        /// <summary>No more output: the pump ends once it has run what is queued.</summary>
        public void Complete()
        {
            lock (_queue)
            {
                _completed = true;
                Monitor.PulseAll(_queue);
            }
        }

        /// <summary>
        /// Runs queued actions on the calling (pipeline) thread until <see cref="Complete"/> is called and the queue is
        /// drained. Ends early with <see cref="OperationCanceledException"/> when the token is cancelled (Ctrl+C), and
        /// with whatever a Write* threw (that exception is not caught here).
        /// </summary>
        public void Pump()
        {
            using (_token.Register(WakePump))
            {
                while (true)
                {
                    Action action;
                    lock (_queue)
                    {
                        while (_queue.Count == 0 && !_completed && !_token.IsCancellationRequested) Monitor.Wait(_queue);
                        _token.ThrowIfCancellationRequested();
                        if (_queue.Count == 0) return;
                        action = _queue.Dequeue();
                    }
                    action();
                }
            }
        }

        private void WakePump()
        {
            lock (_queue) Monitor.PulseAll(_queue);
        }

        private void Enqueue(Action action)
        {
            _token.ThrowIfCancellationRequested();
            lock (_queue)
            {
                // The pump has ended (Complete was called because the pipeline stopped): the output has nowhere to go.
                if (_completed) throw new OperationCanceledException("The pipeline has stopped.", _token);
                _queue.Enqueue(action);
                if (_queue.Count == 1) Monitor.Pulse(_queue);
            }
        }
    }
}
