// The receiver guide (docs/webhooks.md) as a web page at /help/webhooks, with GitHub-style heading
// anchors (the detail page's failure hints link to them) and the docs' images and examples beside it.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { Marked } from 'marked';
import { sendPage } from './web-ui.ts';

export const DOCS_ROOT = fileURLToPath(new URL('../../../../../docs/', import.meta.url));

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderGuide(markdown: string): string {
  const marked = new Marked({
    renderer: {
      heading({ tokens, depth, text }) {
        const id = headingSlug(text);
        return `<h${depth} id="${id}"><a class="anchor" href="#${id}" aria-hidden="true">#</a>${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
  });
  const body = marked.parse(markdown, { async: false });
  const title = escapeHtml(/^# (.+)$/m.exec(markdown)?.[1] ?? 'Receiving Klang webhooks');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Klang</title><link rel="icon" type="image/svg+xml" href="/favicon.svg">
<style>
body{margin:0;font:16px/1.6 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f8f9fa}
header{background:#fff;border-bottom:1px solid #dee2e6;padding:14px 24px}header a{color:#364fc7;font-weight:600;text-decoration:none}
main{max-width:860px;margin:0 auto;padding:24px 24px 64px;background:#fff;border-left:1px solid #dee2e6;border-right:1px solid #dee2e6}
h1,h2,h3{line-height:1.25;margin:1.6em 0 .6em}h1{margin-top:.4em}h2{border-bottom:1px solid #dee2e6;padding-bottom:.3em}
a{color:#364fc7}.anchor{float:left;margin-left:-20px;padding-right:4px;color:#adb5bd;text-decoration:none;visibility:hidden}
h2:hover .anchor,h3:hover .anchor{visibility:visible}:target{scroll-margin-top:16px;background:#fff9db}
code{font:0.875em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f3f5;padding:.1em .3em;border-radius:4px}
pre{background:#f1f3f5;padding:14px 16px;border-radius:8px;overflow:auto}pre code{background:none;padding:0}
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #dee2e6;padding:6px 10px;text-align:left;vertical-align:top}
img{max-width:100%;border:1px solid #dee2e6;border-radius:8px}
</style></head>
<body><header><a href="/settings/developers/webhooks">← Klang · Settings → Developers → Webhooks</a></header>
<main>${body}</main></body></html>`;
}

/** Serves /help/webhooks and, under /help/, the files the guide links to (screenshots, examples). */
export async function registerReceiverDocs(app: FastifyInstance, root: string = DOCS_ROOT): Promise<void> {
  const guide = `${root}webhooks.md`;
  if (!existsSync(guide)) return;
  const html = renderGuide(readFileSync(guide, 'utf8'));
  app.get('/help/webhooks', { schema: { hide: true } }, (_request, reply) => sendPage(reply, html));
  for (const folder of ['screenshots', 'examples']) {
    if (!existsSync(`${root}${folder}`)) continue;
    await app.register(fastifyStatic, {
      root: `${root}${folder}`,
      prefix: `/help/${folder}/`,
      decorateReply: false,
      index: false,
    });
  }
}
