export { actorRole, assertMayTouchOwner } from './access';
export { changeMemberRole, getMember, getMemberInOrg, listMembers, removeMember } from './members';
