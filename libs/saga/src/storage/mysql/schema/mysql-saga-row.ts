import type { RowDataPacket } from 'mysql2';
import type { SagaContext } from '../../../definition/saga-step-execution';
import type { SagaMachineState, SagaStatus } from '../../../machine/saga-machine.types';
import type { SagaRecord } from '../../saga-storage';

/** A row of the instances table, read with {@link SAGA_COLUMNS}. */
export interface MysqlSagaRow extends RowDataPacket {
  id: string;
  saga_name: string;
  status: SagaStatus;
  state: unknown;
  context: unknown;
  created_at: string;
  updated_at: string;
  lease_owner: string | null;
  lease_incarnation: string | null;
  fencing_token: string | number;
}

/** Timestamps as ISO strings in UTC, whatever the session time zone. */
export const SAGA_COLUMNS =
  'id, saga_name, status, state, context, lease_owner, lease_incarnation, fencing_token, ' +
  "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS created_at, " +
  "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS updated_at";

/** A saga that recovery may have to drive on. */
export const UNFINISHED = "status IN ('running', 'compensating')";

// MariaDB returns JSON columns as strings, MySQL as values.
function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function toSagaRecord(row: MysqlSagaRow): SagaRecord {
  return {
    id: row.id,
    sagaName: row.saga_name,
    status: row.status,
    state: parseJson(row.state) as SagaMachineState,
    context: parseJson(row.context) as SagaContext,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    leaseOwner: row.lease_owner,
    leaseIncarnation: row.lease_incarnation ?? null,
    fencingToken: Number(row.fencing_token),
  };
}
