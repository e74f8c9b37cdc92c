// Receives plauditd's webhook deliveries on 127.0.0.1 and verifies every
// one with the Standard Webhooks reference library (npm standardwebhooks):
// each secret listed in the secrets file (one per line; during a rotation,
// both) must verify it. Writes its port to the port file; exits 0 once the
// wanted number of distinct notification ids verified, 1 at the first
// delivery that does not (or after 60 s).
//   node receiver.mjs PORT_FILE SECRETS_FILE WANTED
import fs from "node:fs";
import http from "node:http";
import { Webhook } from "standardwebhooks";

const [portFile, secretsFile, wanted] = process.argv.slice(2);
const verified = new Set();

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const secrets = fs.readFileSync(secretsFile, "utf8").split("\n").filter(Boolean);
    try {
      if (secrets.length === 0) throw new Error("no secret yet");
      for (const secret of secrets) {
        const payload = new Webhook(secret).verify(body, request.headers);
        if (payload.id !== request.headers["webhook-id"]) {
          throw new Error(`body id ${payload.id} is not webhook-id ${request.headers["webhook-id"]}`);
        }
      }
    } catch (error) {
      console.error(`NOT VERIFIED (${secrets.length} secrets): ${error.message}`);
      console.error(JSON.stringify(request.headers), body);
      response.writeHead(400).end();
      process.exit(1);
    }
    verified.add(request.headers["webhook-id"]);
    console.log(`verified ${request.headers["webhook-id"]} with ${secrets.length} secret(s)`);
    response.writeHead(204).end();
    if (verified.size >= Number(wanted)) process.exit(0);
  });
});
server.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(portFile, `${server.address().port}\n`);
});
setTimeout(() => {
  console.error(`timed out with ${verified.size} of ${wanted} verified`);
  process.exit(1);
}, 60_000);
