import { inject } from 'vitest';

/** Test-file side of fakes.ts: script the fake WorkOS and read the captured emails. */
const controlUrl = () => inject('fakesUrl');

/** The next SSO sign-in at the fake WorkOS (acting as the identity provider) signs in as `profile`. */
export async function scriptSsoLogin(profile: { email: string; organization_id: string }): Promise<void> {
  const res = await fetch(`${controlUrl()}/workos/login-as`, {
    method: 'POST',
    body: JSON.stringify(profile),
  });
  if (!res.ok) throw new Error(`fake WorkOS control answered ${res.status}`);
}

/** The accept link of the newest invitation email to `email`. */
export async function invitationLink(email: string): Promise<string> {
  const res = await fetch(`${controlUrl()}/mail?to=${encodeURIComponent(email)}`);
  if (!res.ok) throw new Error(`no invitation email to ${email} (${res.status})`);
  const { text } = (await res.json()) as { text: string };
  const link = /https?:\/\/\S+\/invite\/accept\?token=[A-Za-z0-9_-]+/.exec(text)?.[0];
  if (!link) throw new Error(`the email to ${email} has no accept link:\n${text}`);
  return link;
}
