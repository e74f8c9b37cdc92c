// plauditd's OpenAPI document, checked against plauditd itself:
//   node check_openapi.mjs [BASE_URL] [API_KEY]
// (or PLAUDIT_HTTP_URL / PLAUDIT_API_KEY; the key should be an admin's).
//
// 1. GET /v1/openapi.json must pass SwaggerParser.validate.
// 2. A client that knows nothing but the document then runs a fixed table
//    of calls: it finds each operation by operationId, fills the path and
//    query parameters the operation declares (and no others), sends the
//    body its requestBody schema allows, authenticates as the security
//    scheme says, and checks every answer against the schema the document
//    gives for its status (or "default").
// 3. Negative controls: the same answers against deliberately wrong copies
//    of the document must fail, so a document that validates but describes
//    the wrong shapes cannot pass.
// The schema checker knows the subset the document uses (type, format,
// properties, additionalProperties, items, enum, required, minimum, $ref)
// and is stricter than JSON Schema in one way: a property a schema does not
// list is an error unless additionalProperties allows it, because the
// gateway writes exactly the fields its messages declare.
// Prints "openapi: N checks passed"; exits 1 on the first failure.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

class Failure extends Error {}

let passed = 0;
function check(ok, what) {
  if (!ok) throw new Failure(what);
  passed += 1;
}

function kind(value) {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

function isObject(value) {
  return kind(value) === "object";
}

const INT64 = [-(2n ** 63n), 2n ** 63n - 1n];
const UINT64 = [0n, 2n ** 64n - 1n];
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

// JSON Schema, the subset above, against one document's components.
class Schemas {
  constructor(document) {
    this.document = document;
  }

  // The object a "#/..." reference names.
  pointer(ref) {
    if (!ref.startsWith("#/")) throw new Failure(`external $ref ${ref}`);
    let node = this.document;
    for (const raw of ref.slice(2).split("/")) {
      const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      if (!isObject(node) || !(key in node)) {
        throw new Failure(`$ref ${ref} names nothing`);
      }
      node = node[key];
    }
    return node;
  }

  resolve(node) {
    for (let hops = 0; isObject(node) && "$ref" in node; hops += 1) {
      if (hops > 32) throw new Failure(`$ref loop at ${node.$ref}`);
      node = this.pointer(node.$ref);
    }
    return node;
  }

  // Why `value` does not fit `schema`, as "where: why" lines.
  errors(schema, value, where = "$", out = []) {
    const s = this.resolve(schema);
    if (!isObject(s)) {
      out.push(`${where}: the schema is not an object`);
      return out;
    }
    if (s.enum && !s.enum.includes(value)) {
      out.push(`${where}: ${JSON.stringify(value)} is not one of ${s.enum}`);
    }
    const mismatch = (expected) =>
      out.push(`${where}: expected ${expected}, got ${kind(value)} ` +
               JSON.stringify(value));
    switch (s.type) {
      case undefined:  // any JSON value
        break;
      case "object":
        if (!isObject(value)) {
          mismatch("an object");
          break;
        }
        for (const name of s.required ?? []) {
          if (!(name in value)) out.push(`${where}: ${name} is required`);
        }
        for (const [name, item] of Object.entries(value)) {
          const property = s.properties?.[name];
          if (property !== undefined) {
            this.errors(property, item, `${where}.${name}`, out);
          } else if (isObject(s.additionalProperties)) {
            this.errors(s.additionalProperties, item, `${where}.${name}`, out);
          } else if (s.additionalProperties !== true) {
            out.push(`${where}.${name}: the schema has no such property`);
          }
        }
        break;
      case "array":
        if (!Array.isArray(value)) {
          mismatch("an array");
          break;
        }
        value.forEach((item, i) =>
          this.errors(s.items ?? {}, item, `${where}[${i}]`, out));
        break;
      case "string":
        if (typeof value !== "string") {
          mismatch("a string");
          break;
        }
        this.format(s.format, value, where, out);
        break;
      case "integer":
        if (!Number.isInteger(value)) {
          mismatch("an integer");
          break;
        }
        if (s.format === "int32" && (value < -(2 ** 31) || value >= 2 ** 31)) {
          out.push(`${where}: ${value} is not an int32`);
        }
        if (s.minimum !== undefined && value < s.minimum) {
          out.push(`${where}: ${value} is below ${s.minimum}`);
        }
        break;
      case "number":
        if (typeof value !== "number" || !Number.isFinite(value)) {
          mismatch("a number");
        }
        break;
      case "boolean":
        if (typeof value !== "boolean") mismatch("a boolean");
        break;
      default:
        out.push(`${where}: the checker does not know type ${s.type}`);
    }
    return out;
  }

  format(format, value, where, out) {
    const range = { int64: INT64, uint64: UINT64 }[format];
    if (range) {
      const ok = /^-?\d+$/.test(value) && BigInt(value) >= range[0] &&
                 BigInt(value) <= range[1];
      if (!ok) out.push(`${where}: "${value}" is not a ${format} string`);
    } else if (format === "date-time") {
      if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
        out.push(`${where}: "${value}" is not an RFC 3339 time`);
      }
    } else if (format === "byte" && !BASE64.test(value)) {
      out.push(`${where}: "${value}" is not base64`);
    }
  }

  // Throws unless `value` fits.
  expect(schema, value, what) {
    const errors = this.errors(schema, value);
    check(errors.length === 0,
          `${what} does not fit the document:\n  ${errors.join("\n  ")}\n` +
          `  value: ${JSON.stringify(value)}`);
  }
}

const VERBS = ["get", "put", "post", "delete", "patch"];

// The API as the document describes it, and nothing more.
class Client {
  constructor(document, base, key) {
    this.document = document;
    this.schemas = new Schemas(document);
    this.base = base.replace(/\/+$/, "");
    this.key = key;
    this.operations = new Map();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const verb of VERBS) {
        const operation = item[verb];
        if (operation) {
          this.operations.set(operation.operationId,
                              { path, verb, item, operation });
        }
      }
    }
  }

  // Calls `operationId` with parameters by their document names and a body;
  // returns the status and the JSON answer, checked against the document.
  async call(operationId, { params = {}, body, anonymous = false } = {}) {
    const found = this.operations.get(operationId);
    check(found, `the document has no operation ${operationId}`);
    const { path, verb, item, operation } = found;
    const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
      .map((p) => this.schemas.resolve(p));
    let target = path;
    const query = new URLSearchParams();
    const headers = {};
    for (const [name, value] of Object.entries(params)) {
      const parameter = declared.find((p) => p.name === name);
      check(parameter, `${operationId} declares no parameter ${name}`);
      this.schemas.expect(parameter.schema, value,
                          `${operationId}: parameter ${name}`);
      const values = Array.isArray(value) ? value : [value];
      if (parameter.in === "path") {
        target = target.replace(`{${name}}`,
                                encodeURIComponent(String(value)));
      } else if (parameter.in === "query") {
        check((parameter.style ?? "form") === "form" &&
                (parameter.explode ?? true),
              `${operationId}: ${name} is serialized as form, exploded`);
        for (const v of values) query.append(name, String(v));
      } else if (parameter.in === "header") {
        headers[name] = String(value);
      } else {
        throw new Failure(`${operationId}: ${name} is in ${parameter.in}`);
      }
    }
    for (const parameter of declared) {
      if (parameter.required) {
        check(parameter.name in params,
              `${operationId}: the required ${parameter.name} is given`);
      }
    }
    check(!/[{}]/.test(target), `${operationId}: ${target} is filled in`);

    const security = operation.security ?? this.document.security ?? [];
    if (security.length > 0 && !anonymous) {
      const name = Object.keys(security[0])[0];
      const scheme = this.document.components?.securitySchemes?.[name];
      check(scheme?.type === "http" && scheme?.scheme === "bearer",
            `${operationId}: security scheme ${name} is an http bearer`);
      headers.authorization = `Bearer ${this.key}`;
    }
    let payload;
    if (body !== undefined) {
      const media = operation.requestBody?.content?.["application/json"];
      check(media, `${operationId} takes a JSON body`);
      this.schemas.expect(media.schema, body, `${operationId}: the body`);
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }

    const url = `${this.base}${target}${query.size ? `?${query}` : ""}`;
    const response = await fetch(url, {
      method: verb.toUpperCase(), headers, body: payload,
    });
    const text = await response.text();
    const what = `${verb.toUpperCase()} ${target} -> ${response.status}`;
    const described = operation.responses?.[String(response.status)] ??
                      operation.responses?.default;
    check(described, `${what}: the document describes no such answer`);
    const media = this.schemas.resolve(described).content?.["application/json"];
    check(media, `${what}: the document gives the answer a JSON schema`);
    check((response.headers.get("content-type") ?? "")
            .startsWith("application/json"),
          `${what}: Content-Type is application/json`);
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Failure(`${what}: not JSON: ${text.slice(0, 200)}`);
    }
    this.schemas.expect(media.schema, json, what);
    return { status: response.status, body: json, schema: media.schema };
  }
}

// What SwaggerParser does not check for OpenAPI 3: operationIds are unique
// and every {variable} of a path is a required path parameter.
function checkStructure(document) {
  const ids = new Set();
  for (const [path, item] of Object.entries(document.paths)) {
    const variables = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const verb of VERBS) {
      const operation = item[verb];
      if (!operation) continue;
      check(operation.operationId && !ids.has(operation.operationId),
            `${verb} ${path}: a unique operationId`);
      ids.add(operation.operationId);
      const schemas = new Schemas(document);
      const inPath = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
        .map((p) => schemas.resolve(p)).filter((p) => p.in === "path");
      check(inPath.length === variables.length &&
              variables.every((v) => inPath.some(
                (p) => p.name === v && p.required === true)),
            `${verb} ${path}: its path parameters are ${variables}`);
    }
  }
}

function errorReason(body) {
  return body.error.details.find((d) => d.reason !== undefined)?.reason;
}

async function main() {
  const base = process.argv[2] ?? process.env.PLAUDIT_HTTP_URL;
  const key = process.argv[3] ?? process.env.PLAUDIT_API_KEY;
  if (!base || !key) {
    console.error("usage: node check_openapi.mjs BASE_URL API_KEY " +
                  "(or PLAUDIT_HTTP_URL, PLAUDIT_API_KEY)");
    process.exit(2);
  }
  let SwaggerParser;
  try {
    SwaggerParser = require("@apidevtools/swagger-parser");
  } catch {
    console.error("openapi: @apidevtools/swagger-parser is not installed; " +
                  "run:  npm ci --prefix tests/openapi");
    process.exit(2);
  }

  const fetched = await fetch(`${base.replace(/\/+$/, "")}/v1/openapi.json`);
  check(fetched.status === 200, `GET /v1/openapi.json: ${fetched.status}`);
  const document = await fetched.json();
  try {
    await SwaggerParser.validate(structuredClone(document));
  } catch (error) {
    throw new Failure(`SwaggerParser.validate: ${error.message}`);
  }
  check(true, "the document is valid OpenAPI");
  check(document.openapi === "3.0.3", "OpenAPI 3.0.3");
  checkStructure(document);

  // Ids of this run: the check may run again against the same server.
  const run = Date.now().toString(36);
  const user = `oa-ann-${run}`;
  const ruleId = `oa-post-${run}`;
  const rewardId = `oa-mug-${run}`;
  const action = `openapi.post.${run}`;
  const client = new Client(document, base, key);
  const answers = {};  // the answers negative controls replay

  // [operation, request, expected status, what the answer must say]
  const cases = [
    ["Gateway_Healthz", {}, 200, (b) => [[b.status === "SERVING", "SERVING"]]],
    ["RuleService_CreateRule",
     { body: { ruleId, action, recipient: "ACTOR", points: "25",
               description: "made by check_openapi.mjs" } },
     200, (b) => [[b.rule.ruleId === ruleId, "the rule's id"],
                  [b.rule.points === "25", "points as an int64 string"],
                  [b.rule.recipient === "ACTOR", "recipient by name"]]],
    ["RuleService_UpdateRule",
     { params: { rule_id: ruleId, updateMask: "dailyLimit" },
       body: { dailyLimit: 5 } },
     200, (b) => [[b.rule.dailyLimit === 5, "dailyLimit 5"],
                  [b.rule.points === "25", "points kept (the mask)"]]],
    ["RewardService_CreateReward",
     { body: { rewardId, title: "OpenAPI mug", cost: "10", stock: "3" } },
     200, (b) => [[b.reward.cost === "10", "cost"],
                  [b.reward.stock === "3", "stock"]]],
    ["EventService_RecordEvent",
     { body: { event: { eventId: `oa-e1-${run}`, action, actorId: user,
                        tags: ["openapi"],
                        occurredAt: new Date().toISOString() } } },
     200, (b) => [[b.outcome.awards.length === 1 &&
                     b.outcome.awards[0].userId === user &&
                     b.outcome.awards[0].points === "25" &&
                     b.outcome.awards[0].ruleId === ruleId,
                   `one award of 25 to ${user}: ${JSON.stringify(b.outcome)}`],
                  [b.outcome.duplicate === false, "not a duplicate"]]],
    ["AccountService_GetBalance", { params: { user_id: user } }, 200,
     (b) => [[b.balance.balance === "25", `balance 25: ${b.balance.balance}`],
             [b.balance.lifetimeEarned === "25", "lifetime 25"]]],
    ["LeaderboardService_GetLeaderboard",
     { params: { scope: "global", period: "ALL_TIME", pageSize: 1000 } }, 200,
     (b) => [[b.period === "ALL_TIME", "the period by name"],
             [b.entries.some((e) => e.userId === user && e.score === "25"),
              `${user} on the board with 25`],
             [BigInt(b.participants) >= 1n, "participants"]]],
    ["RewardService_Redeem",
     { params: { reward_id: `no-such-reward-${run}` },
       body: { userId: user, quantity: 1, requestId: `oa-r0-${run}` } },
     404, (b) => [[b.error.code === 404, "error.code is the HTTP status"],
                  [b.error.status === "NOT_FOUND", "error.status"],
                  [errorReason(b) === "REWARD_NOT_FOUND", "REWARD_NOT_FOUND"],
                  [b.error.details.some((d) => d.domain === "plaudit"),
                   "the plaudit domain"]]],
    ["RewardService_Redeem",
     { params: { reward_id: rewardId },
       body: { userId: user, quantity: 1, requestId: `oa-r1-${run}` } },
     200, (b) => [[b.redemption.status === "APPROVED", "APPROVED"],
                  [b.redemption.points === "10", "10 points"],
                  [b.balance === "15", `balance 15: ${b.balance}`]]],
    ["AccountService_GetBalance", { params: { user_id: user } }, 200,
     (b) => [[b.balance.balance === "15", `balance 15: ${b.balance.balance}`]]],
    ["RuleService_ListRules", { params: { pageSize: 10 }, anonymous: true },
     401, (b) => [[errorReason(b) === "KEY_MISSING", "KEY_MISSING"]]],
  ];
  for (const [operationId, request, status, expectations] of cases) {
    const answer = await client.call(operationId, request);
    const what = `${operationId} ${JSON.stringify(request)}`;
    check(answer.status === status,
          `${what}: status ${answer.status}, not ${status}: ` +
          JSON.stringify(answer.body));
    for (const [ok, expectation] of expectations(answer.body)) {
      check(ok, `${what}: ${expectation}`);
    }
    answers[`${operationId} ${status}`] ??= answer;
  }

  // The same answers against wrong documents must fail.
  const controls = [
    ["int64 as a JSON number", "AccountService_GetBalance 200",
     (d) => { d.components.schemas["plaudit.v1.Balance"].properties.balance =
                { type: "integer", format: "int64" }; }],
    ["an enum without the value sent", "RewardService_Redeem 200",
     (d) => { const e = d.components.schemas["plaudit.v1.Redemption.Status"];
              e.enum = e.enum.filter((n) => n !== "APPROVED"); }],
    ["a property under its proto name", "AccountService_GetBalance 200",
     (d) => { const p = d.components.schemas["plaudit.v1.Balance"].properties;
              p.lifetime_earned = p.lifetimeEarned;
              delete p.lifetimeEarned; }],
    ["a list as an object", "LeaderboardService_GetLeaderboard 200",
     (d) => { d.components.schemas["plaudit.v1.GetLeaderboardResponse"]
                .properties.entries = { type: "object" }; }],
    ["an error without details", "RewardService_Redeem 404",
     (d) => { delete d.components.schemas.Error.properties.error
                .properties.details; }],
  ];
  for (const [mistake, key, mutate] of controls) {
    const wrong = structuredClone(document);
    mutate(wrong);
    const answer = answers[key];
    check(answer, `an answer of ${key} to replay`);
    const errors = new Schemas(wrong).errors(answer.schema, answer.body);
    check(errors.length > 0,
          `a document with ${mistake} would have passed ${key}`);
  }
  console.log(`openapi: ${passed} checks passed`);
}

main().catch((error) => {
  console.error(`openapi: FAIL after ${passed} checks: ${error.message}`);
  if (!(error instanceof Failure)) console.error(error.stack);
  process.exit(1);
});
