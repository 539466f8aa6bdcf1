import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { describeEventStorageContract } from '@cello/event-sourcing/testing/event-storage-contract';

// A fresh in-memory (Rust) store per case.
describeEventStorageContract('MemoryEventStorage', async () => new MemoryEventStorage());
