// Send test event: sends at once for a webhook with one event type, else lets the user pick one.
import { Button, Menu } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconFlask } from '@tabler/icons-react';
import type { EventType, Webhook } from '../api/client.ts';
import { useSendTestEvent } from '../api/use-deliveries.ts';

export function SendTestButton({ webhook }: { webhook: Webhook }) {
  const send = useSendTestEvent(webhook.id);
  const receiving = webhook.status === 'active';
  const onSend = (type: EventType['type']) =>
    send.mutate(type, {
      onSuccess: ({ event_id }) =>
        notifications.show({ title: 'Test event sent', message: `${type} · ${event_id}`, color: 'teal' }),
      onError: (error) =>
        notifications.show({ title: 'Test event not sent', message: error.message, color: 'red' }),
    });
  const title = receiving ? undefined : 'Turn Receiving events on to send a test event';

  if (webhook.events.length === 1) {
    const only = webhook.events[0] as EventType['type'];
    return (
      <Button
        leftSection={<IconFlask size={16} />}
        onClick={() => onSend(only)}
        loading={send.isPending}
        disabled={!receiving}
        title={title}
      >
        Send test event
      </Button>
    );
  }
  return (
    <Menu position="bottom-end" shadow="md" width={240}>
      <Menu.Target>
        <Button
          leftSection={<IconFlask size={16} />}
          rightSection={<IconChevronDown size={14} />}
          loading={send.isPending}
          disabled={!receiving}
          title={title}
        >
          Send test event
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Event to send</Menu.Label>
        {webhook.events.map((type) => (
          <Menu.Item key={type} onClick={() => onSend(type)} className="mono">
            {type}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
