// The menu of a list row: Pause or Resume, Edit, Delete.
import { ActionIcon, Menu } from '@mantine/core';
import { IconDots, IconEdit, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import type { Webhook } from '../api/client.ts';
import { shortUrl } from '../lib/format.ts';

interface WebhookRowMenuProps {
  webhook: Webhook;
  onPause(): void;
  onResume(): void;
  onEdit(): void;
  onDelete(): void;
}

export function WebhookRowMenu({ webhook, onPause, onResume, onEdit, onDelete }: WebhookRowMenuProps) {
  const paused = webhook.status === 'paused' || webhook.status === 'auto_paused';
  return (
    <Menu position="bottom-end" shadow="md" width={180} withinPortal>
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={`Webhook actions for ${shortUrl(webhook.url)}`}
          onClick={(e) => e.stopPropagation()}
        >
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown onClick={(e) => e.stopPropagation()}>
        {paused ? (
          <Menu.Item leftSection={<IconPlayerPlay size={16} />} onClick={onResume}>
            Resume
          </Menu.Item>
        ) : (
          <Menu.Item
            leftSection={<IconPlayerPause size={16} />}
            onClick={onPause}
            disabled={webhook.status === 'disabled_plan'}
          >
            Pause
          </Menu.Item>
        )}
        <Menu.Item leftSection={<IconEdit size={16} />} onClick={onEdit}>
          Edit
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={onDelete}>
          Delete
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
