// The reference side of the benchmark: the official Node SDK @alicloud/r-kvstore20150101, as pinned in tests/oracle
// (its node_modules), against the same emulator. Started by AliBackup.Bench with BENCH_ENDPOINT (host:port),
// BENCH_KEY_ID, BENCH_KEY_SECRET and ORACLE_DIR in the environment.
//   node sdk.mjs serve            one JSON command a line on stdin, one '@@{json}' line per command (warm process)
//   node sdk.mjs first ID         load the SDK, then time a new client and its first DescribeBackupTasks
//   node sdk.mjs fresh ID         load the SDK, call once, print the answer (timed from outside: process start to exit)
//   node sdk.mjs list-peak ID     page through a whole window, then the process's peak RSS
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [mode = 'serve', instance] = process.argv.slice(2);
const require = createRequire(join(process.env.ORACLE_DIR, 'package.json'));
const $OpenApi = require('@alicloud/openapi-client');
const KvstoreModule = require('@alicloud/r-kvstore20150101');
const KvstoreClient = KvstoreModule.default ?? KvstoreModule;

const newClient = () => new KvstoreClient(new $OpenApi.Config({
  accessKeyId: process.env.BENCH_KEY_ID,
  accessKeySecret: process.env.BENCH_KEY_SECRET,
  endpoint: process.env.BENCH_ENDPOINT,
  protocol: 'http',
  regionId: 'cn-hangzhou',
}));

const minute = (date) => date.toISOString().slice(0, 16) + 'Z';
const answer = (value) => process.stdout.write('@@' + JSON.stringify(value) + '\n');
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function describeTasks(client, id) {
  return client.describeBackupTasks(new KvstoreModule.DescribeBackupTasksRequest({ instanceId: id }));
}

/** Pages through DescribeBackups as an SDK user does: page after page until a short page or TotalCount. */
async function listAll(client, id, onFirst) {
  const window = { startTime: minute(new Date(Date.now() - 7 * 86400_000)), endTime: minute(new Date(Date.now() + 3600_000)) };
  let count = 0;
  for (let page = 1; ; page++) {
    const response = await client.describeBackups(new KvstoreModule.DescribeBackupsRequest({ instanceId: id, ...window, pageSize: 100, pageNumber: page }));
    const items = response.body.backups?.backup ?? [];
    if (page === 1 && items.length > 0 && onFirst) onFirst();
    count += items.length;
    if (items.length < 100 || page * 100 >= response.body.totalCount) return count;
  }
}

if (mode === 'first') {
  const t0 = now();
  const client = newClient();
  await describeTasks(client, instance);
  answer({ ms: now() - t0 });
} else if (mode === 'fresh') {
  const response = await describeTasks(newClient(), instance);
  console.log(response.body.backupJobs);
} else if (mode === 'list-peak') {
  const count = await listAll(newClient(), instance);
  answer({ count, peakMb: process.resourceUsage().maxRSS / 1024 });
} else {
  const client = newClient();
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line);
    if (command.op === 'calls') {
      const c0 = cpuMs(); const t0 = now();
      for (let i = 0; i < command.n; i++) await describeTasks(client, command.instance);
      const t1 = now(); const c1 = cpuMs();
      answer({ wallUs: (t1 - t0) * 1000 / command.n, cpuUs: (c1 - c0) * 1000 / command.n });
    } else if (command.op === 'list') {
      const c0 = cpuMs(); const t0 = now();
      let first = null;
      const count = await listAll(client, command.instance, () => { first = now() - t0; });
      answer({ count, wallMs: now() - t0, cpuMs: cpuMs() - c0, firstMs: first });
    } else {
      answer({ error: 'unknown op ' + command.op });
    }
  }
}
