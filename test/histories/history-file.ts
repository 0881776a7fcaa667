import proto from '@temporalio/proto';

const { temporal } = proto;

type History = proto.temporal.api.history.v1.IHistory;
const { History } = temporal.api.history.v1;

/**
 * Histories are stored as the JSON of their protobuf object (enum names, 64-bit numbers as
 * strings, bytes as base64). Not the SDK's historyToJSON: in this install @temporalio/common
 * and @temporalio/proto load two copies of protobufjs and it throws "type must be a Type".
 */
export function historyToFile(history: History): string {
  const object = History.toObject(History.fromObject(history), { enums: String, longs: String, bytes: String });
  return `${JSON.stringify(object, null, 1)}\n`;
}

/** A stored history, ready for Worker.runReplayHistories. */
export function historyFromFile(text: string): History {
  return History.fromObject(JSON.parse(text));
}
