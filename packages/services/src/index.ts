export * from './api-keys';
export * from './audit';
export * from './auth';
export { type Actor, inOrg, type ServiceContext } from './context';
export * from './invitations';
export * from './mailer';
export * from './members';
export * from './orgs';
export * from './teams';
