/**
 * Headers of a relayed message. `Nats-Msg-Id` (the event id) is JetStream's own:
 * its duplicate window drops a re-send of the same event.
 */
export const RELAY_HEADERS = {
  messageId: 'Nats-Msg-Id',
  eventType: 'Cello-Event-Type',
  streamId: 'Cello-Stream-Id',
  version: 'Cello-Stream-Version',
  position: 'Cello-Position',
  recordedAt: 'Cello-Recorded-At',
  metadata: 'Cello-Metadata',
} as const;
