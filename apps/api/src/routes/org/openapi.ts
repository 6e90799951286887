type Security = { [scheme: string]: string[] }[];

/** OpenAPI `security` of routes that accept a user's access token or an API key (where scopes allow). */
export const userSecurity: Security = [{ bearerAuth: [] }, { apiKey: [] }];
/** Routes whose permission no API key scope grants: only a signed-in user. */
export const userOnlySecurity: Security = [{ bearerAuth: [] }];
