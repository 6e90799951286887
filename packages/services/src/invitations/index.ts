export {
  type AcceptedInvitation,
  type AcceptInvitationInput,
  acceptInvitation,
  type InvitationPreview,
  previewInvitation,
} from './accept';
export { type InvitationEmail, invitationMessage } from './email';
export {
  type InviteDeps,
  inviteMember,
  listInvitations,
  revokeInvitation,
  toInvitation,
} from './invitations';
export { hashInvitationToken, INVITATION_TTL_MS, invitationLink, newInvitationToken } from './tokens';
