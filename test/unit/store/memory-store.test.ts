import { MemoryStore } from '../../../store';
import { describeKeyValueStoreContract } from './key-value-store.contract';

describeKeyValueStoreContract('MemoryStore', () => new MemoryStore('twins-memory'));
