// The webhooks list: URL (full value on hover) and description, status, 24-hour activity and the
// row menu; a row opens the webhook's page.
import { Anchor, Paper, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import type { Webhook, WebhookListItem } from '../api/client.ts';
import { shortUrl } from '../lib/format.ts';
import { webhookPath } from '../lib/paths.ts';
import { ActivityStrip } from './activity-strip.tsx';
import { StatusBadge } from './status-badge.tsx';
import { WebhookRowMenu } from './webhook-row-menu.tsx';

export interface RowActions {
  onPause(webhook: Webhook): void;
  onResume(webhook: Webhook): void;
  onEdit(webhook: Webhook): void;
  onDelete(webhook: Webhook): void;
}

export function WebhooksTable({ webhooks, actions }: { webhooks: WebhookListItem[]; actions: RowActions }) {
  const navigate = useNavigate();
  return (
    <Paper withBorder radius="lg" style={{ overflow: 'hidden' }}>
      <Table highlightOnHover verticalSpacing="md" horizontalSpacing="lg" aria-label="Webhooks">
        <Table.Thead bg="gray.0">
          <Table.Tr>
            <Table.Th>Endpoint</Table.Th>
            <Table.Th w={150}>Status</Table.Th>
            <Table.Th w={200}>Last 24 hours</Table.Th>
            <Table.Th w={56}>
              <span className="visually-hidden">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {webhooks.map((webhook) => (
            <Table.Tr
              key={webhook.id}
              style={{ cursor: 'pointer' }}
              onClick={() => navigate(webhookPath(webhook.id))}
            >
              <Table.Td style={{ maxWidth: 0, width: '100%' }}>
                <Stack gap={2}>
                  <Tooltip label={webhook.url} multiline maw={520} style={{ wordBreak: 'break-all' }}>
                    <Anchor
                      component={Link}
                      to={webhookPath(webhook.id)}
                      className="mono"
                      fw={600}
                      c="dark"
                      truncate="end"
                      display="block"
                      onClick={(e) => e.stopPropagation()}
                    >
                      {shortUrl(webhook.url)}
                    </Anchor>
                  </Tooltip>
                  <Text size="sm" c="dimmed" truncate="end">
                    {webhook.description || 'No description'}
                  </Text>
                </Stack>
              </Table.Td>
              <Table.Td miw={130} style={{ whiteSpace: 'nowrap' }}>
                <StatusBadge status={webhook.status} />
              </Table.Td>
              <Table.Td>
                <ActivityStrip activity={webhook.activity_24h} />
              </Table.Td>
              <Table.Td>
                <WebhookRowMenu
                  webhook={webhook}
                  onPause={() => actions.onPause(webhook)}
                  onResume={() => actions.onResume(webhook)}
                  onEdit={() => actions.onEdit(webhook)}
                  onDelete={() => actions.onDelete(webhook)}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
