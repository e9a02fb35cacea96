// Renders the OpenAPI 3.1 document from the route schemas, on an in-memory database with throwaway
// secrets and fixed settings: the source of the committed docs/openapi.json and of its drift test.
import { buildApp } from './app.ts';
import { loadConfig } from './config/load-config.ts';
import { createContainer } from './container.ts';
import { createLogger } from './logger.ts';

/** The document as written to docs/openapi.json (2-space JSON, trailing newline). */
export async function renderOpenApiDocument(): Promise<string> {
  const config = loadConfig({
    KLANG_DATABASE_URL: 'sqlite::memory:',
    KLANG_LOG_LEVEL: 'silent',
    KLANG_DEMO: 'false',
  });
  const container = await createContainer({
    config,
    logger: createLogger('silent'),
    secretKey: Buffer.alloc(32),
    ingestToken: 'openapi-document-only',
  });
  const app = await buildApp(container);
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await container.close();
  }
}
