// The official Alibaba Cloud SDKs against the AliBackup emulator: an outside check that the emulator speaks the
// products' wire format (signatures the SDKs compute verify; typed models fill from its answers).
// Run by tests/AliBackup.Service.Tests/OfficialSdkOracleTests.cs, which starts the emulator and passes:
//   ORACLE_ENDPOINT (host:port), ORACLE_KEY_ID / ORACLE_KEY_SECRET, ORACLE_STS_KEY_ID / ORACLE_STS_KEY_SECRET / ORACLE_STS_TOKEN,
//   ORACLE_ROLE_ARN, ORACLE_OIDC_PROVIDER_ARN, ORACLE_OIDC_ISSUER (the emulated STS; its metadata routes have a role attached)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenApiModule, * as $OpenApi from '@alicloud/openapi-client';
import * as $Util from '@alicloud/tea-util';
import KvstoreModule, * as $Kvstore from '@alicloud/r-kvstore20150101';
import RdsModule, * as $Rds from '@alicloud/rds20140815';
import * as Credentials from '@alicloud/credentials';
import { doRequest } from '@alicloud/credentials/dist/src/providers/http.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OpenApiClient = OpenApiModule.default ?? OpenApiModule;
const KvstoreClient = KvstoreModule.default ?? KvstoreModule;
const RdsClient = RdsModule.default ?? RdsModule;
const endpoint = process.env.ORACLE_ENDPOINT;
const keyId = process.env.ORACLE_KEY_ID;
const keySecret = process.env.ORACLE_KEY_SECRET;
const redis = 'r-bp1demo000000001';
const redisCluster = 'r-bp1cluster000001';
const polardb = 'pc-2zedemo000000001';
const mongo = 'dds-bp1demo00000001';

function config(overrides = {}) {
  return new $OpenApi.Config({ accessKeyId: keyId, accessKeySecret: keySecret, endpoint, protocol: 'http', regionId: 'cn-hangzhou', ...overrides });
}

const kvstore = (overrides) => new KvstoreClient(config(overrides));
const rds = (overrides) => new RdsClient(config(overrides));
const rdsInstance = 'rm-bp1demo000000001';

/** The generic client: what a caller of PolarDB or dds without a generated SDK uses. */
async function callApi(version, action, query, { method = 'POST', body, overrides } = {}) {
  const client = new OpenApiClient(config(overrides));
  const params = new $OpenApi.Params({ action, version, protocol: 'HTTP', pathname: '/', method, authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
  const request = new $OpenApi.OpenApiRequest({ query, body });
  return (await client.callApi(params, request, new $Util.RuntimeOptions({}))).body;
}

const polar = (action, query, options) => callApi('2017-08-01', action, query, options);
const dds = (action, query, options) => callApi('2015-12-01', action, query, options);

const minute = (date) => date.toISOString().slice(0, 16) + 'Z';
const window = () => ({ StartTime: minute(new Date(Date.now() - 8 * 86400_000)), EndTime: minute(new Date(Date.now() + 3600_000)) });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Adds an instance through the emulator's (unsigned, loopback-only) control route. */
async function addInstance(id, product) {
  const response = await fetch(`http://${endpoint}/_emulator/instances`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, product }) });
  assert.equal(response.status, 200);
}

async function rejects(promise, code, statusCode) {
  try {
    await promise;
  } catch (error) {
    assert.equal(error.code, code);
    if (statusCode) assert.equal(error.statusCode, statusCode);
    assert.match(error.data?.RequestId ?? '', /^[0-9A-F-]{36}$/);
    return error;
  }
  assert.fail('expected ' + code);
}

async function waitUntil(probe, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) assert.fail('timed out waiting');
    await sleep(100);
  }
}

test('redis CreateBackup answers BackupJobID as a string', async () => {
  const response = await kvstore().createBackup(new $Kvstore.CreateBackupRequest({ instanceId: redis }));
  assert.equal(typeof response.body.backupJobID, 'string');
  assert.match(response.body.backupJobID, /^\d+$/);
  assert.ok(response.body.requestId);
});

test('redis DescribeBackupTasks fills the typed BackupJobs model', async () => {
  const created = await kvstore().createBackup(new $Kvstore.CreateBackupRequest({ instanceId: redisCluster }));
  const jobIds = created.body.backupJobID.split(',');
  assert.equal(jobIds.length, 3, 'a per-shard cluster answers one job per shard');
  const response = await kvstore().describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: redisCluster, backupJobId: jobIds[0], jobMode: 'Manual' }));
  assert.equal(response.body.instanceId, redisCluster);
  assert.equal(response.body.backupJobs.length, 1);
  const job = response.body.backupJobs[0];
  assert.equal(String(job.backupJobID), jobIds[0]);
  assert.ok(['NoStart', 'Preparing', 'Waiting', 'Uploading', 'Checking', 'Finished'].includes(job.backupProgressStatus));
  assert.equal(job.jobMode, 'Manual');
  assert.equal(job.taskAction, 'TempBackupTask');
  assert.match(job.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(job.process, /^\d+$/);
  assert.equal(job.nodeId, redisCluster + '-db-0');
});

test('redis DescribeBackups fills the typed Backups model and paging fields', async () => {
  const response = await kvstore().describeBackups(new $Kvstore.DescribeBackupsRequest({ instanceId: redis, ...{ startTime: window().StartTime, endTime: window().EndTime }, pageSize: 30, pageNumber: 1 }));
  assert.equal(response.body.pageNumber, 1);
  assert.equal(response.body.pageSize, 30);
  assert.ok(response.body.totalCount >= 7);
  const backup = response.body.backups.backup[0];
  assert.equal(typeof backup.backupId, 'number');
  assert.equal(typeof backup.backupJobID, 'number');
  assert.equal(typeof backup.backupSize, 'number');
  assert.equal(backup.backupStatus, 'Success');
  assert.equal(backup.backupType, 'FullBackup');
  assert.match(backup.backupDownloadURL, /^http:\/\//);
  assert.ok(backup.backupIntranetDownloadURL);
  assert.equal(backup.nodeInstanceId, redis);
  assert.match(backup.backupStartTime, /Z$/);
});

test('redis backup runs to Finished and its backup is found by BackupJobId', async () => {
  await addInstance('r-oracleflow00001', 'Redis');
  const created = await kvstore().createBackup(new $Kvstore.CreateBackupRequest({ instanceId: 'r-oracleflow00001' }));
  const jobId = created.body.backupJobID;
  await waitUntil(async () => {
    const tasks = await kvstore().describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: 'r-oracleflow00001', backupJobId: jobId }));
    return tasks.body.backupJobs[0]?.backupProgressStatus === 'Finished';
  });
  const backups = await kvstore().describeBackups(new $Kvstore.DescribeBackupsRequest({ instanceId: 'r-oracleflow00001', startTime: window().StartTime, endTime: window().EndTime, backupJobId: Number(jobId) }));
  assert.equal(backups.body.backups.backup.length, 1);
  assert.equal(String(backups.body.backups.backup[0].backupJobID), jobId);
  assert.equal(backups.body.backups.backup[0].backupStatus, 'Success');
});

test('redis unknown instance is InvalidInstanceId.NotFound with HTTP 404', async () => {
  await rejects(kvstore().describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: 'r-nosuchinstance01' })), 'InvalidInstanceId.NotFound', 404);
});

test('redis malformed window is InvalidStartTime.Malformed', async () => {
  await rejects(kvstore().describeBackups(new $Kvstore.DescribeBackupsRequest({ instanceId: redis, startTime: '2024-01-01 00:00', endTime: '2024-01-02T00:00Z' })), 'InvalidStartTime.Malformed', 400);
});

test('a wrong secret is SignatureDoesNotMatch', async () => {
  await rejects(kvstore({ accessKeySecret: 'not-the-secret' }).describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: redis })), 'SignatureDoesNotMatch', 400);
});

test('an unknown key is InvalidAccessKeyId.NotFound', async () => {
  await rejects(kvstore({ accessKeyId: 'LTAInotakey000000' }).describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: redis })), 'InvalidAccessKeyId.NotFound', 404);
});

test('STS credentials sign and send the security token', async () => {
  const sts = { accessKeyId: process.env.ORACLE_STS_KEY_ID, accessKeySecret: process.env.ORACLE_STS_KEY_SECRET, securityToken: process.env.ORACLE_STS_TOKEN };
  const response = await kvstore(sts).describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: redis }));
  assert.ok(Array.isArray(response.body.backupJobs));
  await rejects(kvstore({ ...sts, securityToken: 'some-other-token' }).describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: redis })), 'InvalidSecurityToken.MismatchWithAccessKey', 400);
});

test('polardb CreateBackup and DescribeBackupTasks use BackupJobId strings under Items.BackupJob', async () => {
  const created = await polar('CreateBackup', { DBClusterId: polardb });
  assert.equal(typeof created.BackupJobId, 'string');
  const tasks = await polar('DescribeBackupTasks', { DBClusterId: polardb, BackupJobId: created.BackupJobId, BackupMode: 'Manual' });
  assert.equal(tasks.Items.BackupJob.length, 1);
  const job = tasks.Items.BackupJob[0];
  assert.equal(job.BackupJobId, created.BackupJobId);
  assert.equal(typeof job.Process, 'string');
  assert.equal(job.JobMode, 'Manual');
  assert.equal(job.TaskAction, 'TempBackupTask');
  assert.ok(['NoStart', 'Preparing', 'Waiting', 'Uploading', 'Checking', 'Finished'].includes(job.BackupProgressStatus));
});

test('polardb DescribeBackups sends every field as a string, and GET is accepted', async () => {
  const backups = await polar('DescribeBackups', { DBClusterId: polardb, ...window(), PageSize: '30' }, { method: 'GET' });
  assert.equal(typeof backups.TotalRecordCount, 'string');
  assert.equal(typeof backups.PageRecordCount, 'string');
  assert.equal(typeof backups.PageNumber, 'string');
  const backup = backups.Items.Backup[0];
  for (const field of ['BackupId', 'BackupSetSize', 'IsAvail', 'ConsistentTime', 'BackupStatus', 'BackupMethod']) assert.equal(typeof backup[field], 'string', field);
  assert.equal(backup.BackupMethod, 'Snapshot');
  assert.equal(backup.DBClusterId, polardb);
  assert.equal(backup.BackupJobId, undefined, 'PolarDB backups carry no job id');
});

test('polardb unknown cluster is InvalidDBClusterId.NotFound (400 on DescribeBackupTasks)', async () => {
  await rejects(polar('DescribeBackupTasks', { DBClusterId: 'pc-nosuchcluster01' }), 'InvalidDBClusterId.NotFound', 400);
  await rejects(polar('DescribeBackups', { DBClusterId: 'pc-nosuchcluster01', ...window() }), 'InvalidDBClusterId.NotFound', 404);
});

test('dds task list shows running tasks with BackupjobId, and a second manual backup is refused', async () => {
  const created = await dds('CreateBackup', { DBInstanceId: mongo });
  assert.equal(typeof created.BackupJobId, 'string');
  assert.equal(typeof created.BackupId, 'string');
  const tasks = await dds('DescribeBackupTasks', { DBInstanceId: mongo, BackupJobId: created.BackupJobId });
  const job = tasks.BackupJobs[0];
  assert.equal(String(job.BackupjobId), created.BackupJobId);
  assert.ok(['Scheduled', 'Checking', 'Backuping', 'Finished'].includes(job.BackupSetStatus));
  assert.equal(job.JobMode, 'Manual');
  await rejects(dds('CreateBackup', { DBInstanceId: mongo }), 'OperationDenied.BackupJobExists', 403);
  await waitUntil(async () => (await dds('DescribeBackupTasks', { DBInstanceId: mongo })).BackupJobs.length === 0);
  const backups = await dds('DescribeBackups', { DBInstanceId: mongo, BackupJobId: created.BackupJobId, ...window() });
  assert.equal(backups.Backups.Backup.length, 1);
  const backup = backups.Backups.Backup[0];
  assert.equal(backup.BackupId, created.BackupId);
  assert.equal(backup.IsAvail, true);
  assert.equal(typeof backup.BackupSize, 'number');
  assert.equal(typeof backups.TotalCount, 'number');
});

test('dds CreateBackup with a form body signs content-type and the body hash', async () => {
  await addInstance('dds-oracleform0001', 'MongoDB');
  await addInstance('dds-oracleform0002', 'MongoDB');
  const created = await dds('CreateBackup', { DBInstanceId: 'dds-oracleform0001' }, { body: { BackupMethod: 'Physical' } });
  assert.match(created.BackupJobId, /^\d+$/);
  await rejects(dds('CreateBackup', { DBInstanceId: 'dds-oracleform0002' }, { body: { BackupMethod: 'Tape (weird) *value*' } }), 'InvalidBackupMethod.ValueNotSupport', 400);
});

test('a V1 (HMAC-SHA1) signed call verifies too', async () => {
  const tasks = await polar('DescribeBackupTasks', { DBClusterId: polardb }, { overrides: { signatureAlgorithm: 'v2' } });
  assert.ok(Array.isArray(tasks.Items.BackupJob));
  await rejects(polar('DescribeBackupTasks', { DBClusterId: polardb }, { overrides: { signatureAlgorithm: 'v2', accessKeySecret: 'nope' } }), 'SignatureDoesNotMatch', 400);
});

// --- The official credentials library (@alicloud/credentials) against the emulated STS, metadata service and
// credentials URI. The library always speaks https to STS and talks to 100.100.100.200 for metadata; its doRequest
// hook (there "for mock") only swaps the scheme and host for the loopback emulator. Signing and bodies are its own.

const roleArn = process.env.ORACLE_ROLE_ARN;

function toEmulator(provider) {
  provider.doRequest = (request) => {
    request.protocol = 'http';
    if (request.host === '100.100.100.200') request.host = endpoint;
    return doRequest(request);
  };
  return provider;
}

const staticAk = (secret = keySecret) =>
  Credentials.StaticAKCredentialsProvider.builder().withAccessKeyId(keyId).withAccessKeySecret(secret).build();

function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return part({ alg: 'RS256', typ: 'JWT' }) + '.' + part(claims) + '.' + Buffer.from('signature').toString('base64url');
}

/** Proves a temporary key pair works: a signed redis call with it (the emulator checks the token). */
async function signsRedisCall(credentials) {
  assert.match(credentials.accessKeyId, /^STS\./);
  assert.ok(credentials.securityToken.length > 100);
  const response = await kvstore({ accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, securityToken: credentials.securityToken })
    .describeBackupTasks(new $Kvstore.DescribeBackupTasksRequest({ instanceId: redis }));
  assert.ok(Array.isArray(response.body.backupJobs));
}

test('credentials RAMRoleARN provider assumes a role with its V1-signed AssumeRole', async () => {
  const provider = toEmulator(Credentials.RAMRoleARNCredentialsProvider.builder()
    .withCredentialsProvider(staticAk()).withRoleArn(roleArn).withRoleSessionName('oracle-session')
    .withDurationSeconds(900).withExternalId('oracle-external').withStsEndpoint(endpoint).build());
  const credentials = await provider.getCredentials();
  assert.equal(credentials.providerName, 'ram_role_arn/static_ak');
  await signsRedisCall(credentials);
});

test('credentials RAMRoleARN provider chained on STS credentials sends their token', async () => {
  const first = await toEmulator(Credentials.RAMRoleARNCredentialsProvider.builder()
    .withCredentialsProvider(staticAk()).withRoleArn(roleArn).withRoleSessionName('first').withStsEndpoint(endpoint).build()).getCredentials();
  const source = Credentials.StaticSTSCredentialsProvider.builder()
    .withAccessKeyId(first.accessKeyId).withAccessKeySecret(first.accessKeySecret).withSecurityToken(first.securityToken).build();
  const second = await toEmulator(Credentials.RAMRoleARNCredentialsProvider.builder()
    .withCredentialsProvider(source).withRoleArn(roleArn).withRoleSessionName('second').withStsEndpoint(endpoint).build()).getCredentials();
  assert.notEqual(second.accessKeyId, first.accessKeyId);
  await signsRedisCall(second);
});

test('credentials RAMRoleARN provider reads the emulator SignatureDoesNotMatch echo as an invalid secret', async () => {
  const provider = toEmulator(Credentials.RAMRoleARNCredentialsProvider.builder()
    .withCredentialsProvider(staticAk('wrong-secret')).withRoleArn(roleArn).withRoleSessionName('bad').withStsEndpoint(endpoint).build());
  // The library says this only when the echoed string-to-sign equals its own exactly.
  await assert.rejects(provider.getCredentials(), /the access key secret is invalid/);
});

test('credentials OIDC provider assumes a role anonymously with the token file', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'oidc-')), 'token');
  writeFileSync(file, jwt({ iss: process.env.ORACLE_OIDC_ISSUER, sub: 'oracle', aud: 'sts.aliyuncs.com', exp: Math.floor(Date.now() / 1000) + 3600 }));
  const provider = toEmulator(Credentials.OIDCRoleArnCredentialsProvider.builder()
    .withOIDCProviderArn(process.env.ORACLE_OIDC_PROVIDER_ARN).withOIDCTokenFilePath(file).withRoleArn(roleArn)
    .withRoleSessionName('oracle-oidc').withStsEndpoint(endpoint).build());
  const credentials = await provider.getCredentials();
  assert.equal(credentials.providerName, 'oidc_role_arn');
  await signsRedisCall(credentials);

  writeFileSync(file, jwt({ iss: process.env.ORACLE_OIDC_ISSUER, sub: 'oracle', exp: Math.floor(Date.now() / 1000) - 60 }));
  const expired = toEmulator(Credentials.OIDCRoleArnCredentialsProvider.builder()
    .withOIDCProviderArn(process.env.ORACLE_OIDC_PROVIDER_ARN).withOIDCTokenFilePath(file).withRoleArn(roleArn).withStsEndpoint(endpoint).build());
  await assert.rejects(expired.getCredentials(), /AuthenticationFail\.OIDCToken\.Expired/);
});

test('credentials ECS RAM role provider takes the token step and reads the role credentials', async () => {
  // The SDK's 1 s metadata timeouts suit a real ECS host; a loaded CI machine can miss them, and this case checks the
  // wire exchange, not the timeout.
  const provider = toEmulator(Credentials.ECSRAMRoleCredentialsProvider.builder().withDisableIMDSv1(true)
    .withConnectTimeout(10000).withReadTimeout(10000).build());
  const credentials = await provider.getCredentials();
  assert.equal(credentials.providerName, 'ecs_ram_role');
  await signsRedisCall(credentials);
});

test('credentials URI provider reads the credentials-URI route', async () => {
  const provider = Credentials.URICredentialsProvider.builder().withCredentialsURI(`http://${endpoint}/_emulator/credentials-uri`).build();
  await signsRedisCall(await provider.getCredentials());
});

test('sts GetCallerIdentity answers for temporary keys, signed V3 or V1', async () => {
  const session = await toEmulator(Credentials.RAMRoleARNCredentialsProvider.builder()
    .withCredentialsProvider(staticAk()).withRoleArn(roleArn).withRoleSessionName('who-am-i').withStsEndpoint(endpoint).build()).getCredentials();
  const overrides = { accessKeyId: session.accessKeyId, accessKeySecret: session.accessKeySecret, securityToken: session.securityToken };
  for (const signatureAlgorithm of ['ACS3-HMAC-SHA256', 'v2']) {
    const identity = await callApi('2015-04-01', 'GetCallerIdentity', {}, { overrides: { ...overrides, signatureAlgorithm } });
    assert.equal(identity.IdentityType, 'AssumedRoleUser');
    assert.match(identity.Arn, /:role\/backup-operator\/who-am-i$/);
  }
  const user = await callApi('2015-04-01', 'GetCallerIdentity', {});
  assert.equal(user.IdentityType, 'RAMUser');
});

// --- ApsaraDB RDS through its official typed SDK (@alicloud/rds20140815): the models fill from the emulator's answers.

test('rds CreateBackup answers BackupJobId as a string, and a second manual backup is BackupJobExists (400)', async () => {
  await addInstance('rm-oraclebusy00001', 'RDS');
  const created = await rds().createBackup(new $Rds.CreateBackupRequest({ DBInstanceId: 'rm-oraclebusy00001', backupMethod: 'Physical' }));
  assert.equal(typeof created.body.backupJobId, 'string');
  assert.match(created.body.backupJobId, /^\d+$/);
  await rejects(rds().createBackup(new $Rds.CreateBackupRequest({ DBInstanceId: 'rm-oraclebusy00001' })), 'BackupJobExists', 400);
  await rejects(rds().createBackup(new $Rds.CreateBackupRequest({ DBInstanceId: rdsInstance, backupMethod: 'Tape' })), 'InvalidBackupMethod.Format', 400);
});

test('rds DescribeBackupTasks fills Items.BackupJob and names the BackupId of a finished task asked for by job id', async () => {
  await addInstance('rm-oracleflow00001', 'RDS');
  const created = await rds().createBackup(new $Rds.CreateBackupRequest({ DBInstanceId: 'rm-oracleflow00001' }));
  const jobId = created.body.backupJobId;
  const running = await rds().describeBackupTasks(new $Rds.DescribeBackupTasksRequest({ DBInstanceId: 'rm-oracleflow00001', backupMode: 'Manual' }));
  const job = running.body.items.backupJob.find((j) => j.backupJobId === jobId);
  assert.ok(job, 'the running task is listed');
  assert.equal(typeof job.process, 'string');
  assert.equal(job.jobMode, 'Manual');
  assert.equal(job.taskAction, 'TempBackupTask');
  assert.ok(['NoStart', 'Preparing', 'Waiting', 'Uploading', 'Checking', 'Finished'].includes(job.backupProgressStatus));
  assert.equal(job.backupId, undefined, 'no backup set before the task finished');
  const finished = await waitUntil(async () => {
    const tasks = await rds().describeBackupTasks(new $Rds.DescribeBackupTasksRequest({ DBInstanceId: 'rm-oracleflow00001', backupJobId: Number(jobId) }));
    const found = tasks.body.items.backupJob[0];
    return found?.backupStatus === 'Finished' ? found : null;
  });
  assert.match(finished.backupId, /^\d+$/);
  const backups = await rds().describeBackups(new $Rds.DescribeBackupsRequest({ DBInstanceId: 'rm-oracleflow00001', backupId: finished.backupId, ...{ startTime: window().StartTime, endTime: window().EndTime } }));
  assert.equal(backups.body.items.backup.length, 1);
  assert.equal(backups.body.items.backup[0].backupId, finished.backupId);
  assert.equal(backups.body.items.backup[0].backupMode, 'Manual');
});

test('rds a failed backup task reports BackupStatus Failed', async () => {
  await addInstance('rm-oraclefail00001', 'RDS');
  const response = await fetch(`http://${endpoint}/_emulator/instances/rm-oraclefail00001/fail-next-backup`, { method: 'POST' });
  assert.equal(response.status, 200);
  const created = await rds().createBackup(new $Rds.CreateBackupRequest({ DBInstanceId: 'rm-oraclefail00001' }));
  const failed = await waitUntil(async () => {
    const tasks = await rds().describeBackupTasks(new $Rds.DescribeBackupTasksRequest({ DBInstanceId: 'rm-oraclefail00001', backupJobId: Number(created.body.backupJobId) }));
    const found = tasks.body.items.backupJob[0];
    return found?.backupProgressStatus === 'Finished' ? found : null;
  });
  assert.equal(failed.backupStatus, 'Failed');
});

test('rds DescribeBackups fills Items.Backup with string paging, numeric size and integer IsAvail', async () => {
  const response = await rds().describeBackups(new $Rds.DescribeBackupsRequest({ DBInstanceId: rdsInstance, startTime: window().StartTime, endTime: window().EndTime, pageSize: 30, pageNumber: 1 }));
  assert.equal(typeof response.body.totalRecordCount, 'string');
  assert.equal(typeof response.body.pageRecordCount, 'string');
  assert.equal(response.body.pageNumber, '1');
  assert.ok(Number(response.body.totalRecordCount) >= 7);
  const backup = response.body.items.backup[0];
  assert.equal(typeof backup.backupId, 'string');
  assert.equal(typeof backup.backupSize, 'number');
  assert.equal(backup.isAvail, 1);
  assert.equal(backup.DBInstanceId, rdsInstance);
  assert.equal(backup.backupStatus, 'Success');
  assert.match(backup.backupDownloadURL, /^http:\/\/.*[?&]Expires=\d+/);
  assert.match(backup.backupIntranetDownloadURL, /Expires=\d+/);
  assert.equal(typeof backup.consistentTime, 'number');
  await rejects(rds().describeBackups(new $Rds.DescribeBackupsRequest({ DBInstanceId: rdsInstance, pageSize: 40 })), 'InvalidPageSize.Malformed', 400);
});

test('rds unknown instance is InvalidDBInstanceId.NotFound with HTTP 404', async () => {
  await rejects(rds().describeBackupTasks(new $Rds.DescribeBackupTasksRequest({ DBInstanceId: 'rm-nosuchinstance1' })), 'InvalidDBInstanceId.NotFound', 404);
});

test('rds DescribeBackupPolicy and ModifyBackupPolicy use the SDK models, and a bad window is refused', async () => {
  await addInstance('rm-oraclepolicy001', 'RDS');
  const before = await rds().describeBackupPolicy(new $Rds.DescribeBackupPolicyRequest({ DBInstanceId: 'rm-oraclepolicy001' }));
  assert.equal(typeof before.body.backupRetentionPeriod, 'number');
  assert.match(before.body.preferredBackupTime, /^\d\d:00Z-\d\d:00Z$/);
  assert.match(before.body.preferredNextBackupTime, /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
  assert.ok(['Enable', 'Disabled'].includes(before.body.backupLog));
  const modified = await rds().modifyBackupPolicy(new $Rds.ModifyBackupPolicyRequest({
    DBInstanceId: 'rm-oraclepolicy001', backupPolicyMode: 'DataBackupPolicy', preferredBackupTime: '02:00Z-03:00Z',
    preferredBackupPeriod: 'Monday,Thursday', backupRetentionPeriod: '14', backupLog: 'Enable' }));
  assert.equal(modified.body.DBInstanceID, 'rm-oraclepolicy001');
  const after = await rds().describeBackupPolicy(new $Rds.DescribeBackupPolicyRequest({ DBInstanceId: 'rm-oraclepolicy001' }));
  assert.equal(after.body.preferredBackupTime, '02:00Z-03:00Z');
  assert.equal(after.body.preferredBackupPeriod, 'Monday,Thursday');
  assert.equal(after.body.backupRetentionPeriod, 14);
  assert.equal(after.body.backupLog, 'Enable');
  await rejects(rds().modifyBackupPolicy(new $Rds.ModifyBackupPolicyRequest({
    DBInstanceId: 'rm-oraclepolicy001', preferredBackupTime: '02:30Z-03:30Z', preferredBackupPeriod: 'Monday,Thursday', backupRetentionPeriod: '14' })), 'InvalidPreferredBackupTime.Format', 400);
});

test('redis DescribeBackupPolicy and ModifyBackupPolicy use the typed models', async () => {
  await addInstance('r-oraclepolicy0001', 'Redis');
  await kvstore().modifyBackupPolicy(new $Kvstore.ModifyBackupPolicyRequest({ instanceId: 'r-oraclepolicy0001', preferredBackupTime: '07:00Z-08:00Z', preferredBackupPeriod: 'Tuesday', backupRetentionPeriod: 30 }));
  const policy = await kvstore().describeBackupPolicy(new $Kvstore.DescribeBackupPolicyRequest({ instanceId: 'r-oraclepolicy0001' }));
  assert.equal(policy.body.preferredBackupTime, '07:00Z-08:00Z');
  assert.equal(policy.body.preferredBackupPeriod, 'Tuesday');
  assert.equal(policy.body.backupRetentionPeriod, '30');
  assert.equal(typeof policy.body.enableBackupLog, 'number');
});

test('a backup file URL serves the backup size with Range support and expires', async () => {
  const response = await rds().describeBackups(new $Rds.DescribeBackupsRequest({ DBInstanceId: rdsInstance, startTime: window().StartTime, endTime: window().EndTime }));
  const backup = response.body.items.backup[0];
  const whole = await fetch(backup.backupDownloadURL);
  assert.equal(whole.status, 200);
  assert.equal(Number(whole.headers.get('content-length')), backup.backupSize);
  await whole.arrayBuffer();
  const tail = await fetch(backup.backupDownloadURL, { headers: { range: 'bytes=1000-' } });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers.get('content-range'), `bytes 1000-${backup.backupSize - 1}/${backup.backupSize}`);
  assert.equal((await tail.arrayBuffer()).byteLength, backup.backupSize - 1000);
  const expired = backup.backupDownloadURL.replace(/Expires=\d+/, 'Expires=1000000000');
  assert.equal((await fetch(expired)).status, 403, 'an altered or expired URL is refused');
});
