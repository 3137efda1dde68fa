/*
 * Runs @cedar-policy/cedar-wasm in its own thread for the authorization benchmark (see cedar.ts).
 *
 * Why a worker: each `preparsePolicySet` grows the wasm memory, and V8 answers that external growth
 * with full garbage collections of the calling thread's heap; next to the benchmark's 10,000
 * compiled principals that made pre-parsing take minutes. In this thread the heap is small. Calls
 * are made and timed here, one by one, with the same loop as the in-process peers (peers.ts).
 *
 * Messages (each answered with { ok: true, ... } or { ok: false, message }):
 *   { type: 'sets', sets: [[id, policyText], ...] }           pre-parse the policy sets
 *   { type: 'requests', members, requests }                   build the calls of the request pool
 *     (each request: member, action, resource entity and shard, and the project/env entities and
 *     shards of the ancestor checks when they apply)
 *   { type: 'decide', indices }                                answers of requests, as 0/1
 *   { type: 'time', order, warmup, max, budgetMs }             per-decision latencies (seconds)
 *   { type: 'errors' }                                         evaluation errors seen so far
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const cedar = createRequire(path.join(workerData.peersDir, 'package.json'))(
  '@cedar-policy/cedar-wasm/nodejs',
);

/** @type {{ main: object, project?: object, env?: object }[]} */
let prepared = [];
let errors = 0;

function allows(call) {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== 'success') {
    throw new Error(`Cedar failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  if (answer.response.diagnostics.errors.length > 0) errors++;
  return answer.response.decision === 'allow';
}

// The application applies the ancestor rule: the action, then CanAccessProject, then CanAccessEnv.
function decide(i) {
  const p = prepared[i];
  if (!allows(p.main)) return false;
  if (p.project !== undefined && !allows(p.project)) return false;
  if (p.env !== undefined && !allows(p.env)) return false;
  return true;
}

function call(memberEntities, memberId, action, resource, shard) {
  return {
    principal: { type: 'Member', id: memberId },
    action: { type: 'Action', id: action },
    resource: resource.uid,
    context: {},
    preparsedPolicySetId: `flagward-bench/${shard}`,
    entities: [...memberEntities, resource],
  };
}

function handle(msg) {
  switch (msg.type) {
    case 'sets': {
      const start = performance.now();
      for (const [id, text] of msg.sets) {
        const answer = cedar.preparsePolicySet(`flagward-bench/${id}`, { staticPolicies: text });
        if (answer.type !== 'success') {
          throw new Error(
            `Cedar rejected policy set ${id}: ${answer.errors.map((e) => e.message).join('; ')}`,
          );
        }
      }
      return { version: cedar.getCedarVersion(), ms: performance.now() - start };
    }
    case 'requests': {
      const members = msg.members;
      prepared = msg.requests.map((r) => {
        const ents = members[r.member];
        return {
          main: call(ents.entities, ents.id, r.action, r.resource, r.shard),
          project:
            r.project === undefined
              ? undefined
              : call(ents.entities, ents.id, 'CanAccessProject', r.project, r.projectShard),
          env:
            r.env === undefined ? undefined : call(ents.entities, ents.id, 'CanAccessEnv', r.env, r.envShard),
        };
      });
      return { count: prepared.length };
    }
    case 'decide':
      return { decisions: Uint8Array.from(msg.indices, (i) => (decide(i) ? 1 : 0)) };
    case 'time': {
      const { order, warmup, max, budgetMs } = msg;
      let sink = 0;
      for (let i = 0; i < warmup; i++) if (decide(order[i % order.length])) sink++;
      const latencies = new Float64Array(max);
      const start = process.hrtime.bigint();
      const deadline = start + BigInt(Math.round(budgetMs * 1e6));
      let n = 0;
      while (n < max) {
        const t0 = process.hrtime.bigint();
        if (decide(order[n % order.length])) sink++;
        const t1 = process.hrtime.bigint();
        latencies[n++] = Number(t1 - t0) / 1e9;
        if (t1 > deadline) break;
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      return { latencies: latencies.slice(0, n), seconds, sink };
    }
    case 'errors':
      return { errors };
    default:
      throw new Error(`unknown message ${msg.type}`);
  }
}

parentPort.on('message', (msg) => {
  try {
    parentPort.postMessage({ ok: true, ...handle(msg) });
  } catch (e) {
    parentPort.postMessage({ ok: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
