// Serves a fetch-style route module (Next.js App Router `POST(request)`) over real HTTP on PORT,
// turning each Node request into a WHATWG Request. Run: node --import tsx route-handler-server.mjs <module>
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const route = await import(pathToFileURL(process.argv[2]).href);

const server = createServer((incoming, outgoing) => {
  const chunks = [];
  incoming.on('data', (chunk) => chunks.push(chunk));
  incoming.on('end', async () => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) headers.set(name, String(value));
    const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
      method: incoming.method,
      headers,
      body: Buffer.concat(chunks),
    });
    const response = await route[incoming.method](request);
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
