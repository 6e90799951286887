'use client';

import { authSessionSchema, meResponseSchema } from '@agentflow/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { acceptSession, api } from '@/lib/api';
import { useAuthStore } from '@/lib/auth-store';
import { describeError } from '@/lib/errors';

/** Every org of the user (GET /auth/me); picking one moves the session there (POST /auth/switch-org). */
export function OrgSwitcher() {
  const org = useAuthStore((s) => s.session?.organization);
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery({
    queryKey: ['me', org?.id],
    queryFn: () => api('/auth/me', meResponseSchema),
    // The list stays on screen while it refetches for the org just switched to.
    placeholderData: (previous) => previous,
  });
  const switchOrg = useMutation({
    mutationFn: (orgId: string) =>
      api('/auth/switch-org', authSessionSchema, { method: 'POST', body: { org_id: orgId } }),
    onSuccess: (session) => {
      acceptSession(session);
      // Everything cached belongs to the previous org; lists keyed by org id refetch for the new one.
      queryClient.removeQueries();
      // A detail page (/agents/<id>) names a resource of the previous org: go to its list instead.
      const section = pathname.split('/')[1];
      if (section && pathname !== `/${section}`) router.replace(`/${section}`);
    },
  });

  if (me.isPending) {
    return <span className="text-sm text-slate-500">{org?.name ?? 'Loading organizations…'}</span>;
  }
  if (me.isError) {
    return (
      <span role="alert" className="text-sm text-red-600 dark:text-red-400">
        Organizations unavailable: {describeError(me.error)}
      </span>
    );
  }
  return (
    <div className="flex items-center gap-2">
      {/* Visible on wide screens; screen readers always get it. */}
      <label
        htmlFor="org-switcher"
        className="sr-only text-sm text-slate-600 2xl:not-sr-only dark:text-slate-300"
      >
        Organization
      </label>
      <select
        id="org-switcher"
        aria-busy={switchOrg.isPending || undefined}
        className="input w-auto max-w-[18rem] truncate py-1.5"
        value={org?.id}
        disabled={switchOrg.isPending || me.data.organizations.length < 2}
        onChange={(e) => switchOrg.mutate(e.target.value)}
      >
        {me.data.organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name} ({o.role})
          </option>
        ))}
      </select>
      {switchOrg.isError && (
        <span role="alert" className="text-sm text-red-600 dark:text-red-400">
          {describeError(switchOrg.error)}
        </span>
      )}
    </div>
  );
}
