import type { MeResponse } from '@agentflow/contracts';
import type { Me } from '@agentflow/services';

export function meBody(me: Me): MeResponse {
  return {
    user: {
      id: me.user.id,
      email: me.user.email,
      name: me.user.name,
      avatar_url: me.user.avatarUrl,
      created_at: me.user.createdAt.toISOString(),
    },
    organization: me.org,
    role: me.role,
    organizations: me.orgs,
  };
}
