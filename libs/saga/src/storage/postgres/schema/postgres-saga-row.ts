import type { SagaContext } from '../../../definition/saga-step-execution';
import type { SagaMachineState, SagaStatus } from '../../../machine/saga-machine.types';
import type { SagaRecord } from '../../saga-storage';

/** A row of the instances table as node-postgres returns it. */
export interface PostgresSagaRow {
  id: string;
  saga_name: string;
  status: SagaStatus;
  state: SagaMachineState;
  context: SagaContext;
  created_at: Date;
  updated_at: Date;
  lease_owner: string | null;
  lease_incarnation: string | null;
  fencing_token: string;
}

export function toSagaRecord(row: PostgresSagaRow): SagaRecord {
  return {
    id: row.id,
    sagaName: row.saga_name,
    status: row.status,
    state: row.state,
    context: row.context,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    leaseOwner: row.lease_owner,
    leaseIncarnation: row.lease_incarnation ?? null,
    fencingToken: Number(row.fencing_token),
  };
}
