// The UI's routes (CONTRACT.md, "Web UI").

export const WEBHOOKS_PATH = '/settings/developers/webhooks';
export const webhookPath = (id: string): string => `${WEBHOOKS_PATH}/${encodeURIComponent(id)}`;
