// The operations of this backend, by the name the shared shell calls them.
export { claimAbandonedSagas as claimAbandoned } from './claim-abandoned-sagas';
export { claimSaga as claim } from './claim-saga';
export { createSagas as createBatch } from './create-sagas';
export { heartbeat } from './heartbeat';
export { listSagas as list } from './list-sagas';
export { loadSaga as load } from './load-saga';
export { ping } from './ping';
export { quarantineSaga as quarantine } from './quarantine-saga';
export { renewLeases } from './renew-leases';
export { retireIncarnation } from './retire-incarnation';
export { saveSagas as saveBatch } from './save-sagas';
