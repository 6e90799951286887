import packageJson from '../package.json' with { type: 'json' };

/** The API package version, shown in the OpenAPI document. Inlined into the bundle by tsup. */
export const API_VERSION: string = packageJson.version;
