/**
 * The package's data files built into the one-file bundle (path → text). `npm run bundle` replaces
 * this module with the table; in the normal build there is none and they are read from the package.
 */
export const EMBEDDED_ASSETS: ReadonlyMap<string, string> | undefined = undefined;
