export { getOrg, toOrg, updateOrg } from './org';
