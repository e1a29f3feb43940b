// Evaluates flags with @openfeature/flagd-core, as a Node service reading its mounted flagd.json.
// Usage: node evaluate.mjs FLAGD_JSON CASES_JSON OUT_JSONL
//   CASES_JSON: [{"flag", "type", "targetingKey", "attributes", "timestamp"}, ...]
//   OUT_JSONL: one {"variant", "value", "reason", "errorCode"} per case, in order.
// $flagd.timestamp is Date.now() inside the core, so the clock is set per case.
import { readFileSync, writeFileSync } from "node:fs";
import { FlagdCore } from "@openfeature/flagd-core";

const [flagsPath, casesPath, outPath] = process.argv.slice(2);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const core = new FlagdCore(undefined, silent);
core.setConfigurations(readFileSync(flagsPath, "utf8"));
const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const resolvers = {
  boolean: [core.resolveBooleanEvaluation, false],
  string: [core.resolveStringEvaluation, ""],
  number: [core.resolveNumberEvaluation, 0],
  object: [core.resolveObjectEvaluation, {}],
};
const realNow = Date.now;
const lines = [];
for (const c of cases) {
  Date.now = () => c.timestamp * 1000;
  const context = { ...c.attributes };
  if (c.targetingKey !== null) context.targetingKey = c.targetingKey;
  const [resolve, fallback] = resolvers[c.type];
  const got = resolve.call(core, c.flag, fallback, context, silent);
  lines.push(
    JSON.stringify({
      variant: got.variant ?? null,
      value: got.value,
      reason: got.reason ?? null,
      errorCode: got.errorCode ?? null,
    }),
  );
}
Date.now = realNow;
writeFileSync(outPath, lines.join("\n") + "\n");
