export type { Actor, ServiceContext } from './context';
