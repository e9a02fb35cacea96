// Receives deliveries on PORT and checks each with the shell recipe (docs/examples/verify-signature.sh):
// 204 when the script exits 0, 401 otherwise. Run: node shell-recipe-receiver.mjs <script>
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = process.argv[2];
const folder = mkdtempSync(join(tmpdir(), 'klang-shell-recipe-'));
let count = 0;

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const bodyFile = join(folder, `body-${++count}`);
    writeFileSync(bodyFile, Buffer.concat(chunks));
    const { headers } = request;
    const args = [
      headers['webhook-id'] ?? '',
      headers['webhook-timestamp'] ?? '',
      headers['webhook-signature'] ?? '',
    ];
    execFile('sh', [script, ...args, bodyFile], (error, stdout, stderr) => {
      if (error) {
        process.stderr.write(stderr);
        response.writeHead(401).end();
        return;
      }
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      console.log(`${stdout.trim()}: verified ${event.type} ${event.id}`);
      response.writeHead(204).end();
    });
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
